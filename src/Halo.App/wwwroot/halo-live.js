// The live hub (/hubs/live, docs/live.md) through the vendored @microsoft/signalr client (global `signalR`). One
// connection per page; .NET (Services/LiveUpdates.cs) says which box to watch and gets every message as JSON text
// (snake_case, read with the API client's options). Areas and Identify are per connection: after every reconnect,
// and after a restart when automatic reconnect gave up, both are sent again.
let signalrLoaded = null;
let conn = null, dotnet = null, deviceId = null, area = null, stopped = true, restartTimer = null, startPromise = null;
const MESSAGES = ['incident_created', 'incident_updated', 'cluster_updated', 'predictions_updated', 'alert'];

function loadSignalR() {
    if (window.signalR) return Promise.resolve();
    signalrLoaded ??= new Promise((resolve, reject) => {
        const s = document.createElement('script');
        s.src = 'lib/signalr/signalr.min.js';
        s.onload = resolve;
        s.onerror = () => { signalrLoaded = null; reject(new Error('signalr.min.js did not load')); };
        document.head.append(s);
    });
    return signalrLoaded;
}

function state(value) {
    document.documentElement.dataset.haloLive = value; // tests wait for "connected"
    dotnet?.invokeMethodAsync('OnState', value).catch(() => { });
}

function build() {
    const c = new signalR.HubConnectionBuilder()
        .withUrl('hubs/live', { accessTokenFactory: async () => (await dotnet.invokeMethodAsync('AccessToken')) ?? '' })
        .withStatefulReconnect()
        // 0, 2, 5, 10, 20, then 30 s, ±20 % jitter, forever: many clients coming back at once do not stampede.
        .withAutomaticReconnect({ nextRetryDelayInMilliseconds: ctx =>
            Math.min(30000, [0, 2000, 5000, 10000, 20000][ctx.previousRetryCount] ?? 30000) * (0.8 + Math.random() * 0.4) })
        .configureLogging(signalR.LogLevel.Warning)
        .build();
    for (const type of MESSAGES)
        c.on(type, payload => dotnet?.invokeMethodAsync('OnMessage', type, JSON.stringify(payload)).catch(e => console.warn(type, e)));
    c.onreconnecting(() => state('reconnecting'));
    c.onreconnected(async () => { state('connected'); await resubscribe(); });
    c.onclose(() => { state('disconnected'); if (!stopped) later(); });
    return c;
}

function later() {
    clearTimeout(restartTimer);
    restartTimer = setTimeout(() => { if (!stopped) connect(); }, 30000);
}

async function connect() {
    if (startPromise) return startPromise;
    startPromise = (async () => {
        try {
            await loadSignalR();
            conn ??= build();
            if (conn.state === signalR.HubConnectionState.Disconnected) await conn.start();
            state('connected');
            await resubscribe();
        } catch (e) {
            console.warn('Live updates not connected', e);
            state('disconnected');
            if (!stopped) later(); // offline, or the server is restarting
        } finally { startPromise = null; }
    })();
    return startPromise;
}

async function resubscribe() {
    if (!conn || conn.state !== signalR.HubConnectionState.Connected) return;
    try {
        if (deviceId) await conn.invoke('Identify', deviceId);
        if (area) await subscribe(area);
    } catch (e) { console.warn('Live resubscribe failed', e); }
}

// Of a box that needs too many cells the server watches the middle (answer.partial).
async function subscribe(box) {
    const answer = await conn.invoke('Subscribe', box);
    if (area !== box) return null; // a newer box replaced this one meanwhile
    document.documentElement.dataset.haloLiveArea = answer.partial ? 'partial' : 'full';
    return { resolution: answer.resolution, cells: answer.cells.length, partial: answer.partial };
}

export function start(ref, device) {
    dotnet = ref;
    deviceId = device || null;
    stopped = false;
    return connect();
}

// Watches a box (null: nothing). Answers { resolution, cells, partial } or null when not connected (sent on connect).
export async function watch(box) {
    area = box;
    if (!conn || conn.state !== signalR.HubConnectionState.Connected) return null;
    try {
        if (!box) { await conn.invoke('Unsubscribe'); return null; }
        return await subscribe(box);
    } catch (e) { console.warn('Live subscribe failed', e); return null; }
}

// The access token changed (signed in or out): a new connection carries the new identity.
export async function restart() {
    if (stopped) return;
    if (startPromise) await startPromise; // a start under way would otherwise finish on the connection stopped here
    const old = conn;
    conn = null;
    if (old) { stopped = true; try { await old.stop(); } catch { /* already closed */ } stopped = false; }
    await connect();
}

export async function stop() {
    stopped = true;
    clearTimeout(restartTimer);
    const old = conn;
    conn = null;
    if (old) try { await old.stop(); } catch { /* already closed */ }
}
