// Halo's service worker: caches the app shell and static assets under a versioned cache name, so a repeat load
// (and an offline one) comes from the cache. The version is the build's asset-manifest hash: every build that
// changes any asset installs a new worker, which waits until the page's update prompt tells it to take over.
// API calls (/api/…) and map tiles always go to the network.
self.importScripts('./service-worker-assets.js');
self.addEventListener('install', event => event.waitUntil(onInstall()));
self.addEventListener('activate', event => event.waitUntil(onActivate()));
self.addEventListener('fetch', event => {
    if (shouldHandle(event.request)) event.respondWith(onFetch(event.request));
});
self.addEventListener('message', event => { if (event.data === 'skip-waiting') self.skipWaiting(); });

const cacheNamePrefix = 'halo-shell-';
const cacheName = `${cacheNamePrefix}${self.assetsManifest.version}`;
// .pdb: a non-published build ("dotnet run", how the product runs) loads its symbols at start, so an offline start
// needs them; a publish lists none.
const include = [/\.dll$/, /\.pdb$/, /\.wasm/, /\.html$/, /\.js$/, /\.mjs$/, /\.json$/, /\.css$/, /\.png$/, /\.dat$/, /\.webmanifest$/, /\.txt$/];
const exclude = [/^service-worker\.js$/, /\.map$/, /\.gz$/, /\.br$/];
const base = new URL('/', self.origin);
const assetUrls = new Set(self.assetsManifest.assets.map(a => new URL(a.url, base).href));

async function onInstall() {
    const requests = self.assetsManifest.assets
        .filter(a => include.some(p => p.test(a.url)) && !exclude.some(p => p.test(a.url)))
        .map(a => new Request(a.url, { integrity: a.hash, cache: 'no-cache' }));
    const cache = await caches.open(cacheName);
    await cache.addAll(requests);
}

async function onActivate() {
    const keys = await caches.keys();
    await Promise.all(keys.filter(k => k.startsWith(cacheNamePrefix) && k !== cacheName).map(k => caches.delete(k)));
    await self.clients.claim();
}

function shouldHandle(request) {
    if (request.method !== 'GET') return false;
    const url = new URL(request.url);
    if (url.origin !== self.origin) return false; // tiles and anything else remote: straight to the network
    return !/^\/(api|openapi|docs|health)(\/|$)/.test(url.pathname);
}

async function onFetch(request) {
    const cache = await caches.open(cacheName);
    // Navigations to app routes (/report, /profile) get the cached shell.
    const isShell = request.mode === 'navigate' && !assetUrls.has(request.url);
    const cached = await cache.match(isShell ? 'index.html' : request, { ignoreSearch: !isShell && new URL(request.url).pathname.endsWith('.mjs') });
    if (cached) return cached;
    const response = await fetch(request);
    // An asset of this build left out of the install (e.g. the .pdb files a non-published build loads) is kept once
    // fetched, so the next start works offline too.
    if (response.ok && assetUrls.has(request.url)) cache.put(request, response.clone()).catch(() => { });
    return response;
}

// Web Push (docs/live.md): the server sends { title, body, type, tag, incident_id, cell, severity, url }. A push must
// show a notification (userVisibleOnly); a tap opens (or focuses) the app at the alert's address.
self.addEventListener('push', event => {
    let p = {};
    try { p = event.data ? event.data.json() : {}; } catch { p = { title: 'Halo', body: event.data ? event.data.text() : '' }; }
    event.waitUntil(self.registration.showNotification(p.title || 'Halo', {
        body: p.body || '', tag: p.tag || undefined, renotify: !!p.tag, icon: 'icon-192.png', badge: 'favicon.png',
        requireInteraction: p.severity === 5, data: { url: p.url || '/' },
    }));
});
self.addEventListener('notificationclick', event => {
    event.notification.close();
    const target = new URL(event.notification.data?.url || '/', self.location.origin);
    if (target.origin !== self.location.origin) return; // only the app's own pages
    event.waitUntil((async () => {
        const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
        const open = windows.find(w => new URL(w.url).origin === target.origin);
        if (open) { await open.focus(); if ('navigate' in open) await open.navigate(target.href).catch(() => { }); }
        else await self.clients.openWindow(target.href);
    })());
});
