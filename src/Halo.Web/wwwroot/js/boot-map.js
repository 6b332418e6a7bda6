// Starts the map while .NET WebAssembly boots: on the map tab, MapLibre, the outline and the first hexagons load in
// parallel with the runtime, and MapPage takes this map over when it renders (see createMap in halo-map.js).
// The defaults mirror MapOptions (Halo.App/Services/ServiceCollectionExtensions.cs) and AppSettings' storage keys.
// "/?lat=…&lon=…&zoom=…": a place to show (the "near me" feed links to the map this way).
function focusFromAddress() {
    const q = new URLSearchParams(location.search);
    const lat = Number(q.get('lat')), lon = Number(q.get('lon')), zoom = Number(q.get('zoom') || 14);
    return q.has('lat') && q.has('lon') && Number.isFinite(lat) && Number.isFinite(lon) ? { lat, lon, zoom } : null;
}
const onMapTab = !/^\/(report|profile|feed|alerts)\/?$/.test(location.pathname);
if (onMapTab) {
    const stored = key => { try { return localStorage.getItem(key); } catch { return null; } };
    const host = document.createElement('div');
    host.id = 'halo-early-map';
    host.setAttribute('aria-hidden', 'true'); // the accessible map region is MapPage's; this is its picture until then
    document.body.append(host);
    try {
        // The settings and the map module load in parallel.
        const settings = fetch('appsettings.json').then(r => r.ok ? r.json() : {}).then(j => j.Map ?? {}).catch(() => ({}));
        const [{ bootMap }, map] = await Promise.all([import('../_content/Halo.App/halo-map.js'), settings]);
        bootMap(host, {
            tileUrl: map.TileUrl || 'https://tile.openstreetmap.org/{z}/{x}/{y}.png',
            attribution: map.TileAttribution || '© OpenStreetMap contributors',
            centre: [15.5, 62.0],
            zoom: 4.2,
            bounds: [11.0, 55.3, 19.2, 61.0],
            focus: focusFromAddress(),
            showPredictions: stored('halo.layer.predictions') !== 'off',
            showIncidents: stored('halo.layer.incidents') !== 'off',
        });
    } catch (e) {
        // No WebGL, or the map library did not load: .NET need not wait for a map that will not come (js/app.js), and
        // MapPage says the map is unavailable.
        console.error('The map could not start before .NET', e);
        host.remove();
        document.dispatchEvent(new Event('halo:map-failed'));
    }
}
