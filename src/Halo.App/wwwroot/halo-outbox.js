// The offline outbox's storage: IndexedDB database "halo", store "outbox" (key: an increasing sequence number, so the
// order reports were made in is the order they are sent in). Each record holds the item as JSON (Outbox.cs decides
// what is in it), the photo and the evidence clip (video and audio) as Blobs. IndexedDB outlives reloads and browser restarts, unlike memory.
const DB = 'halo', STORE = 'outbox';
let dbPromise = null;

function open() {
    dbPromise ??= new Promise((resolve, reject) => {
        const req = indexedDB.open(DB, 1);
        req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: 'seq', autoIncrement: true });
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => { dbPromise = null; reject(req.error); };
    });
    return dbPromise;
}

async function run(mode, work) {
    const db = await open();
    return new Promise((resolve, reject) => {
        const tx = db.transaction(STORE, mode);
        let result;
        Promise.resolve(work(tx.objectStore(STORE), r => { result = r; })).catch(reject);
        tx.oncomplete = () => resolve(result);
        tx.onerror = () => reject(tx.error);
        tx.onabort = () => reject(tx.error);
    });
}

const req = r => new Promise((resolve, reject) => { r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); });

export function add(json, photo, photoType, clip, clipType) {
    const blob = photo ? new Blob([photo], { type: photoType || 'application/octet-stream' }) : null;
    const clipBlob = clip ? new Blob([clip], { type: clipType || 'video/webm' }) : null;
    return run('readwrite', (s, done) => req(s.add({ json, photo: blob, clip: clipBlob })).then(done));
}

export function put(seq, json) {
    return run('readwrite', async s => {
        const rec = await req(s.get(seq));
        if (rec) await req(s.put({ ...rec, json }));
    });
}

export function remove(seq) { return run('readwrite', s => req(s.delete(seq))); }

export function list() {
    return run('readonly', (s, done) => req(s.getAll()).then(all => done(all.map(r => ({ seq: r.seq, json: r.json })))));
}

async function blobOf(seq, field) {
    const rec = await run('readonly', (s, done) => req(s.get(seq)).then(done));
    if (!rec || !rec[field]) return null;
    return new Uint8Array(await rec[field].arrayBuffer());
}

export function photo(seq) { return blobOf(seq, 'photo'); }

export function clip(seq) { return blobOf(seq, 'clip'); }
