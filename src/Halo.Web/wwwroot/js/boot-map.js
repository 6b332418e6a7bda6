// Starts the map while .NET WebAssembly boots: on the map tab, MapLibre, the outline and the first hexagons load in
// parallel with the runtime, and MapPage takes this map over when it renders (see createMap in halo-map.js).
// The defaults mirror MapOptions (Halo.App/Services/ServiceCollectionExtensions.cs) and AppSettings' storage keys.
import { bootMap } from '../_content/Halo.App/halo-map.js';

const onMapTab = !/^\/(report|profile)\/?$/.test(location.pathname);
if (onMapTab) {
    const stored = key => { try { return localStorage.getItem(key); } catch { return null; } };
    const host = document.createElement('div');
    host.id = 'halo-early-map';
    host.setAttribute('aria-hidden', 'true'); // the accessible map region is MapPage's; this is its picture until then
    document.body.append(host);
    let map = {};
    try {
        const r = await fetch('appsettings.json');
        if (r.ok) map = (await r.json()).Map ?? {};
    } catch { /* the defaults below */ }
    bootMap(host, {
        tileUrl: map.TileUrl || 'https://tile.openstreetmap.org/{z}/{x}/{y}.png',
        attribution: map.TileAttribution || '© OpenStreetMap contributors',
        centre: [15.5, 62.0],
        zoom: 4.2,
        showPredictions: stored('halo.layer.predictions') !== 'off',
        showIncidents: stored('halo.layer.incidents') !== 'off',
    });
}
