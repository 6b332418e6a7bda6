// Evidence capture for a report: a short video-and-audio clip (MediaRecorder), the accelerometer (DeviceMotion) and a
// GPS track (watchPosition), all started by one tap and stopped by a tap or the time limit. Only summaries leave this
// module (peak g, jerk, audio levels, the track's points); the raw motion and audio samples are never kept. The clip is
// held here until .NET reads it (clip()) or the capture is discarded.
const G = 9.80665;
const FLOOR_DBFS = -160; // silence: log10(0) is -Infinity, and the API's range stops at -160 dBFS

let current = null;   // the capture under way
let lastClip = null;  // { blob, mimeType } of the last finished capture

export function support() {
    return {
        media: !!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia && window.MediaRecorder),
        motion: typeof window.DeviceMotionEvent !== 'undefined',
        motionPermission: typeof window.DeviceMotionEvent !== 'undefined' && typeof DeviceMotionEvent.requestPermission === 'function',
        geolocation: 'geolocation' in navigator,
    };
}

function pickType() {
    const types = ['video/webm;codecs=vp8,opus', 'video/webm;codecs=vp9,opus', 'video/webm', 'video/mp4'];
    return types.find(t => MediaRecorder.isTypeSupported(t)) ?? '';
}

const dbfs = x => x > 0 ? Math.max(FLOOR_DBFS, Math.min(0, 20 * Math.log10(x))) : FLOOR_DBFS;

// Starts a capture. Must be called from the user's tap: iOS asks for motion access only within a user gesture, so
// DeviceMotionEvent.requestPermission() is called before anything is awaited. Resolves to { ok } or { error }.
export async function start(dotnet, maxMs, preview) {
    if (current) return { ok: false, error: 'busy' };
    lastClip = null;
    const motionAsked = typeof window.DeviceMotionEvent !== 'undefined' && typeof DeviceMotionEvent.requestPermission === 'function'
        ? DeviceMotionEvent.requestPermission().catch(() => 'denied')
        : Promise.resolve(typeof window.DeviceMotionEvent !== 'undefined' ? 'granted' : 'unsupported');
    if (!support().media) return { ok: false, error: 'unsupported' };

    let stream;
    try {
        stream = await navigator.mediaDevices.getUserMedia({
            video: { facingMode: 'environment', width: { ideal: 640 }, height: { ideal: 480 } },
            audio: true,
        });
    } catch (e) {
        const name = e && e.name;
        return { ok: false, error: name === 'NotAllowedError' || name === 'SecurityError' ? 'denied' : name === 'NotFoundError' || name === 'OverconstrainedError' ? 'notfound' : 'failed' };
    }

    const c = {
        dotnet, stream, chunks: [], startedAt: performance.now(), motionState: await motionAsked, geoState: 'unsupported',
        motion: { samples: 0, peakG: 0, jerk: 0, prev: null },
        audio: { frames: 0, peak: 0, sumSquares: 0, count: 0 },
        track: [], watchId: null, timers: [], audioCtx: null, onMotion: null,
    };
    current = c;
    if (preview) {
        c.preview = preview;
        preview.srcObject = stream;
        preview.play().catch(() => { }); // muted: allowed without a further gesture
    }

    const type = pickType();
    c.recorder = new MediaRecorder(stream, type ? { mimeType: type, videoBitsPerSecond: 1_000_000 } : undefined);
    c.recorder.ondataavailable = e => { if (e.data && e.data.size) c.chunks.push(e.data); };
    c.stopped = new Promise(resolve => { c.recorder.onstop = resolve; });
    c.recorder.start(1000);

    if (c.motionState === 'granted') {
        c.onMotion = e => {
            const a = e.accelerationIncludingGravity && e.accelerationIncludingGravity.x != null ? e.accelerationIncludingGravity : e.acceleration;
            if (!a || a.x == null) return; // no sensor: Chromium sends one event with nulls
            const v = [a.x || 0, a.y || 0, a.z || 0];
            const m = c.motion;
            m.peakG = Math.max(m.peakG, Math.hypot(v[0], v[1], v[2]) / G);
            // The device reports its sampling interval; it is what separates two readings (timeStamp is when JS saw them).
            if (m.prev) {
                const dt = (e.interval > 0 ? e.interval : e.timeStamp - m.prev.t) / 1000;
                if (dt > 0) m.jerk = Math.max(m.jerk, Math.hypot(v[0] - m.prev.v[0], v[1] - m.prev.v[1], v[2] - m.prev.v[2]) / G / dt);
            }
            m.prev = { v, t: e.timeStamp };
            m.samples++;
        };
        window.addEventListener('devicemotion', c.onMotion);
    }

    if (stream.getAudioTracks().length) {
        try {
            const Ctx = window.AudioContext || window.webkitAudioContext;
            c.audioCtx = new Ctx();
            if (c.audioCtx.state === 'suspended') c.audioCtx.resume().catch(() => { });
            const analyser = c.audioCtx.createAnalyser();
            analyser.fftSize = 2048;
            c.audioCtx.createMediaStreamSource(stream).connect(analyser);
            const buf = new Float32Array(analyser.fftSize);
            // Every 40 ms: a 2048-sample window (about 43 ms at 48 kHz), so the windows cover the whole capture.
            c.timers.push(setInterval(() => {
                analyser.getFloatTimeDomainData(buf);
                const s = c.audio;
                for (let i = 0; i < buf.length; i++) { const x = Math.abs(buf[i]); if (x > s.peak) s.peak = x; s.sumSquares += x * x; }
                s.count += buf.length;
                s.frames++;
            }, 40));
        } catch { c.audioCtx = null; }
    }

    if ('geolocation' in navigator) {
        c.geoState = 'waiting';
        c.watchId = navigator.geolocation.watchPosition(p => {
            c.geoState = 'ok';
            if (c.track.length >= 300) return; // the API takes at most 300 points
            c.track.push({ latitude: p.coords.latitude, longitude: p.coords.longitude, timestamp: new Date(p.timestamp).toISOString(), accuracyM: p.coords.accuracy });
        }, e => { if (c.geoState !== 'ok') c.geoState = e.code === 1 ? 'denied' : 'unavailable'; },
        { enableHighAccuracy: true, maximumAge: 0, timeout: 10000 });
    }

    c.timers.push(setInterval(() => {
        const ms = performance.now() - c.startedAt;
        dotnet.invokeMethodAsync('OnEvidenceTick', Math.round(ms)).catch(() => { });
        if (ms >= maxMs && !c.autoStopped) { c.autoStopped = true; dotnet.invokeMethodAsync('OnEvidenceTimeUp').catch(() => { }); }
    }, 250));
    return { ok: true, error: null };
}

// Ends the capture. keep=false throws the clip away. Resolves to the summary (or null when nothing was under way).
export async function stop(keep) {
    const c = current;
    if (!c) return null;
    current = null;
    c.timers.forEach(clearInterval);
    const durationMs = Math.round(performance.now() - c.startedAt);
    if (c.recorder.state !== 'inactive') c.recorder.stop();
    await c.stopped;
    c.stream.getTracks().forEach(t => t.stop());
    if (c.preview) c.preview.srcObject = null;
    if (c.onMotion) window.removeEventListener('devicemotion', c.onMotion);
    if (c.watchId !== null) navigator.geolocation.clearWatch(c.watchId);
    if (c.audioCtx) c.audioCtx.close().catch(() => { });
    const mimeType = (c.recorder.mimeType || c.chunks[0]?.type || 'video/webm').split(';')[0];
    const blob = new Blob(c.chunks, { type: mimeType });
    lastClip = keep ? { blob, mimeType } : null;
    const a = c.audio;
    return {
        durationMs,
        mimeType,
        sizeBytes: keep ? blob.size : 0,
        motionState: c.motionState,
        motionSamples: c.motion.samples,
        peakG: c.motion.samples ? c.motion.peakG : null,
        jerk: c.motion.samples > 1 ? c.motion.jerk : null,
        audioPeakDbfs: a.count ? dbfs(a.peak) : null,
        audioMeanDbfs: a.count ? dbfs(Math.sqrt(a.sumSquares / a.count)) : null,
        geoState: c.geoState,
        track: c.track,
    };
}

// The last kept clip's bytes (null when there is none).
export async function clip() {
    if (!lastClip) return null;
    return new Uint8Array(await lastClip.blob.arrayBuffer());
}

export function discard() { lastClip = null; }
