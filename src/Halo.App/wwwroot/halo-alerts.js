// Foreground geofencing, system notifications and the Web Push subscription (Services/Geofencing.cs drives them).
//
// Battery: the position is watched only while the page is visible (visibilitychange stops and restarts the watch),
// with the browser's low-power fix (enableHighAccuracy off, fixes up to 30 s old); a fix is handed to .NET (which
// posts it) at most every `minIntervalMs` (30 s or more), and only when it moved `minDistanceM` from the last posted
// one, or `keepAliveMs` passed (the server forgets a position 30 min after its last post).
let watchId = null, dotnet = null, opts = null, last = null, pending = null, timer = null, visibilityHooked = false;

function distanceM(a, b) {
    const R = 6371000, rad = d => d * Math.PI / 180;
    const h = Math.sin(rad(b.lat - a.lat) / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(rad(b.lon - a.lon) / 2) ** 2;
    return 2 * R * Math.asin(Math.min(1, Math.sqrt(h)));
}

function consider() {
    clearTimeout(timer); timer = null;
    if (!pending || document.visibilityState !== 'visible') return;
    const now = Date.now();
    if (last) {
        const wait = last.at + opts.minIntervalMs - now;
        if (wait > 0) { timer = setTimeout(consider, wait); return; } // a newer fix may replace this one meanwhile
        // Not moved: the fix waits for the keep-alive (a still phone may not report again).
        if (distanceM(last, pending) < opts.minDistanceM && now - last.at < opts.keepAliveMs) { timer = setTimeout(consider, last.at + opts.keepAliveMs - now); return; }
    }
    const p = pending; pending = null;
    last = { ...p, at: now };
    document.documentElement.dataset.haloPositionPosts = String(Number(document.documentElement.dataset.haloPositionPosts ?? 0) + 1);
    dotnet?.invokeMethodAsync('OnPosition', p.lat, p.lon, p.accuracy).catch(e => console.warn('position', e));
}

function watchNow() {
    if (watchId !== null || !('geolocation' in navigator)) return;
    watchId = navigator.geolocation.watchPosition(
        p => { pending = { lat: p.coords.latitude, lon: p.coords.longitude, accuracy: p.coords.accuracy }; consider(); },
        e => dotnet?.invokeMethodAsync('OnPositionError', e.code === 1 ? 'denied' : e.code === 3 ? 'timeout' : 'unavailable').catch(() => { }),
        { enableHighAccuracy: false, maximumAge: 30000, timeout: 60000 });
}

function unwatch() {
    if (watchId !== null) navigator.geolocation.clearWatch(watchId);
    watchId = null;
    clearTimeout(timer); timer = null;
    pending = null;
}

function onVisibility() {
    if (!dotnet) return;
    if (document.visibilityState === 'visible') watchNow();
    else { unwatch(); dotnet.invokeMethodAsync('OnHidden').catch(() => { }); }
}

// Starts watching; false when the browser has no geolocation.
export function startGeofence(ref, options) {
    if (!('geolocation' in navigator)) return false;
    dotnet = ref;
    opts = { minIntervalMs: Math.max(30000, options?.minIntervalMs ?? 30000), minDistanceM: options?.minDistanceM ?? 50, keepAliveMs: options?.keepAliveMs ?? 600000 };
    if (!visibilityHooked) { document.addEventListener('visibilitychange', onVisibility); visibilityHooked = true; }
    if (document.visibilityState === 'visible') watchNow();
    return true;
}

export function stopGeofence() {
    unwatch();
    dotnet = null;
    last = null;
}

// --- Notifications: "granted", "denied", "default" or "unsupported".
export function notificationPermission() { return 'Notification' in window ? Notification.permission : 'unsupported'; }

export async function requestNotifications() {
    if (!('Notification' in window)) return 'unsupported';
    try { return await Notification.requestPermission(); } catch { return Notification.permission; }
}

// A system notification (through the service worker when it controls the page, as a push would show it).
export async function notify(title, body, tag, url) {
    if (!('Notification' in window) || Notification.permission !== 'granted') return false;
    const options = { body, tag, data: { url }, icon: 'icon-192.png', badge: 'favicon.png' };
    try {
        const reg = navigator.serviceWorker?.controller ? await navigator.serviceWorker.getRegistration() : null;
        if (reg) await reg.showNotification(title, options);
        else new Notification(title, options);
        return true;
    } catch (e) { console.warn('notification', e); return false; }
}

// --- Web Push. Answers { state: "subscribed"|"none"|"unsupported"|"denied"|"failed", endpoint, p256dh, auth, error }.
function pushSupported() { return 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window; }

function keyBytes(base64url) {
    const s = base64url.replace(/-/g, '+').replace(/_/g, '/');
    const raw = atob(s + '='.repeat((4 - s.length % 4) % 4));
    return Uint8Array.from(raw, c => c.charCodeAt(0));
}

function described(sub) {
    const j = sub.toJSON();
    return { state: 'subscribed', endpoint: j.endpoint, p256dh: j.keys?.p256dh ?? null, auth: j.keys?.auth ?? null, error: null };
}

async function registration() {
    const reg = await navigator.serviceWorker.getRegistration();
    if (!reg) throw new Error('no service worker');
    return reg;
}

export async function pushState() {
    if (!pushSupported()) return { state: 'unsupported' };
    try {
        const reg = await navigator.serviceWorker.getRegistration();
        const sub = reg ? await reg.pushManager.getSubscription() : null;
        return sub ? described(sub) : { state: Notification.permission === 'denied' ? 'denied' : 'none' };
    } catch (e) { return { state: 'failed', error: String(e?.message ?? e) }; }
}

export async function subscribePush(vapidPublicKey) {
    if (!pushSupported()) return { state: 'unsupported' };
    const permission = await requestNotifications();
    if (permission !== 'granted') return { state: permission === 'denied' ? 'denied' : 'none' };
    try {
        const reg = await registration();
        const sub = await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(vapidPublicKey) });
        return described(sub);
    } catch (e) { return { state: 'failed', error: String(e?.message ?? e) }; }
}

export async function unsubscribePush() {
    if (!pushSupported()) return { state: 'unsupported' };
    try {
        const reg = await navigator.serviceWorker.getRegistration();
        const sub = reg ? await reg.pushManager.getSubscription() : null;
        if (!sub) return { state: 'none' };
        const endpoint = sub.endpoint;
        await sub.unsubscribe();
        return { state: 'none', endpoint };
    } catch (e) { return { state: 'failed', error: String(e?.message ?? e) }; }
}
