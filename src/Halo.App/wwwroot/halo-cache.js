// The last data the map showed, for offline use: IndexedDB database "halo-cache", store "views" (key → the answer as
// JSON text and when it was saved). The map's hotspot hours (halo-map.js) and its incidents (ViewCache.cs) go here;
// offline, the newest matching entry is shown, marked stale with its time. Only the newest MAX entries are kept.
const DB = 'halo-cache', STORE = 'views', MAX = 24;
let dbPromise = null;

function open() {
    dbPromise ??= new Promise((resolve, reject) => {
        const r = indexedDB.open(DB, 1);
        r.onupgradeneeded = () => r.result.createObjectStore(STORE, { keyPath: 'key' }).createIndex('at', 'at');
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => { dbPromise = null; reject(r.error); };
    });
    return dbPromise;
}

const done = r => new Promise((resolve, reject) => { r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); });

// Saves text under a key (replacing it) and drops the oldest entries beyond MAX. Never throws: a cache is optional.
export async function put(key, json) {
    try {
        const db = await open();
        const tx = db.transaction(STORE, 'readwrite');
        const store = tx.objectStore(STORE);
        store.put({ key, json, at: Date.now() });
        const keys = await done(store.index('at').getAllKeys());
        for (const old of keys.slice(0, Math.max(0, keys.length - MAX))) store.delete(old);
        await new Promise(resolve => { tx.oncomplete = resolve; tx.onerror = resolve; tx.onabort = resolve; });
        return true;
    } catch (e) { console.warn('cache put', e); return false; }
}

// The entry for the key, else (with a prefix) the newest whose key starts with it: { key, json, at } or null.
export async function get(key, prefix) {
    try {
        const db = await open();
        const store = db.transaction(STORE, 'readonly').objectStore(STORE);
        const exact = await done(store.get(key));
        if (exact || !prefix) return exact ?? null;
        const all = await done(store.getAll());
        return all.filter(e => e.key.startsWith(prefix)).sort((a, b) => b.at - a.at)[0] ?? null;
    } catch (e) { console.warn('cache get', e); return null; }
}
