// Halo's map: MapLibre (vendored by the host under lib/maplibre-gl), an OSM-style raster base map with the bundled
// outline base map beneath it (shown when tiles fail), the AI hotspot layer per forecast hour, and incidents.
// Components drive it through the plain object that createMap returns; it reports back through the .NET reference.
import * as maplibregl from '../../lib/maplibre-gl/maplibre-gl.mjs';
import { put as cachePut, get as cacheGet } from './halo-cache.js';

const AREAS_URL = 'data/sweden-areas.json';
const EMPTY = { type: 'FeatureCollection', features: [] };
const COARSE_M = 1000; // police positions this vague are an area's centre, not a place
let areasPromise = null;

function loadAreas() {
    areasPromise ??= fetch(AREAS_URL).then(r => { if (!r.ok) throw new Error(`areas ${r.status}`); return r.json(); });
    return areasPromise;
}

// The outline in two steps: the counties (a few percent of the file, all that shows below zoom 5) go to the map's
// worker first; the municipalities follow when `later` resolves, so they do not queue ahead of the first hexagons.
async function drawOutline(map, later, onCounties) {
    const areas = await loadAreas();
    const of = kind => ({ type: 'FeatureCollection', features: areas.features.filter(f => f.properties.kind === kind) });
    map.getSource('areas')?.setData(of('county'));
    onCounties?.();
    await later;
    map.getSource('municipalities')?.setData(of('municipality'));
}

const areaKey = name => (name || '').trim().split(/\s+/).join(' ').toLowerCase();

function baseStyle(opts) {
    return {
        version: 8,
        sources: {
            areas: { type: 'geojson', data: EMPTY },
            municipalities: { type: 'geojson', data: EMPTY },
            tiles: { type: 'raster', tiles: [opts.tileUrl], tileSize: 256, maxzoom: 19, attribution: opts.attribution },
        },
        layers: [
            { id: 'background', type: 'background', paint: { 'background-color': '#dbe7f0' } },
            { id: 'areas-land', type: 'fill', source: 'areas', filter: ['==', ['get', 'kind'], 'county'], paint: { 'fill-color': '#f4f1ea' } },
            { id: 'areas-municipality', type: 'line', source: 'municipalities', minzoom: 5,
              paint: { 'line-color': '#9aa5b1', 'line-width': 0.6 } },
            { id: 'areas-county', type: 'line', source: 'areas', filter: ['==', ['get', 'kind'], 'county'], paint: { 'line-color': '#52606d', 'line-width': 1.2 } },
            { id: 'tiles', type: 'raster', source: 'tiles' },
        ],
    };
}

function resolutionFor(zoom) { return zoom < 6 ? 5 : zoom < 8 ? 6 : zoom < 10 ? 7 : 8; }

// The requested box is the view padded by half its size and snapped to a grid, so small pans and zooms reuse it.
function viewFor(map) {
    const res = resolutionFor(map.getZoom());
    const step = { 5: 1, 6: 0.5, 7: 0.2, 8: 0.05 }[res];
    const b = map.getBounds();
    const padX = (b.getEast() - b.getWest()) / 2, padY = (b.getNorth() - b.getSouth()) / 2;
    const snap = (v, f) => Math.round(f(v / step) * step * 1e5) / 1e5;
    const box = [
        Math.max(-180, snap(b.getWest() - padX, Math.floor)), Math.max(-85, snap(b.getSouth() - padY, Math.floor)),
        Math.min(180, snap(b.getEast() + padX, Math.ceil)), Math.min(85, snap(b.getNorth() + padY, Math.ceil)),
    ];
    return { res, bbox: box.join(','), key: `${res}|${box.join(',')}` };
}

// The API's levels, whatever their exact shape: [{level|name, color|colour, min|threshold}] or { high: {...} }.
function normaliseLevels(levels) {
    if (!levels) return [];
    const list = Array.isArray(levels) ? levels : Object.entries(levels).map(([k, v]) => ({ level: k, ...(typeof v === 'object' ? v : { color: v }) }));
    return list.map(l => ({
        level: String(l.level ?? l.name ?? l.risk_level ?? ''),
        color: String(l.color ?? l.colour ?? l.hex ?? ''),
        min: Number(l.min ?? l.min_score ?? l.threshold ?? l.from ?? 0),
        max: l.max ?? l.max_score ?? l.to ?? null,
    })).filter(l => l.level && l.color).sort((a, b) => a.min - b.min);
}

function fillColour(levels) {
    if (!levels.length) return '#888888';
    const match = ['match', ['get', 'risk_level']];
    for (const l of levels) match.push(l.level, l.color);
    // A cell without a level is coloured by its score against the same thresholds.
    const step = ['step', ['to-number', ['get', 'risk_score'], 0], levels[0].color];
    for (const l of levels.slice(1)) step.push(l.min, l.color);
    match.push(step);
    return match;
}

// A second cue beside the colour (for colour-vision deficiency): the higher the level, the thicker and darker the
// hexagon's outline. The legend draws its swatches the same way (RiskLegend.razor).
export function outlineFor(index, count) {
    const top = count > 1 ? index / (count - 1) : 0;
    return { width: Math.round((0.4 + 2.4 * top) * 10) / 10, color: top >= 0.5 ? '#111827' : '#ffffff' };
}

function outlinePaint(levels) {
    if (!levels.length) return { width: 0.5, color: '#ffffff' };
    const width = ['match', ['get', 'risk_level']], color = ['match', ['get', 'risk_level']];
    levels.forEach((l, i) => { const o = outlineFor(i, levels.length); width.push(l.level, o.width); color.push(l.level, o.color); });
    width.push(0.5); color.push('#ffffff');
    return { width, color };
}

function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
}

// The map can start before .NET has booted: js/boot-map.js calls bootMap from index.html, so the style, the outline
// and the first hexagons load while the WebAssembly runtime starts. MapPage's createMap then takes that map over
// (moves it into its own element and connects the .NET callbacks) instead of building a second one.
let early = null, taken = false;

export function bootMap(host, opts) {
    // .NET got there first (its map exists already): no second map.
    if (taken) { host.remove(); return null; }
    if (!early) early = buildMap(host, opts);
    return early;
}

export function createMap(container, dotnet, opts) {
    taken = true;
    const m = early && !early.destroyed() ? early : buildMap(container, opts);
    early = null;
    m.attach(container, dotnet, opts);
    return m.api;
}

// The page starts .NET once the map has its first frame with data (js/app.js listens), so the two do not compete
// for the CPU while the first hexagons are on their way.
function mapReady() { document.dispatchEvent(new Event('halo:map-ready')); }

// Forecast hours are drawn in a few slots, one GeoJSON source and layer pair each. Every slot is laid out, but only
// the shown hour's layer is opaque: a prefetched hour is tiled while the user looks at another, and a slider step is
// then an opacity swap (a repaint, no worker round trip). A slot only reloads when it gets new data.
const SLOTS = 7;

// Where the map opens: the user's last known position (saved when they asked to be centred), else the box where most
// people live (southern Sweden), fitted to the screen with room for the layer toggles above and the legend below.
const LAST_POSITION_KEY = 'halo.lastpos';
const POSITION_MAX_AGE_MS = 30 * 24 * 3600 * 1000;

export function rememberPosition(lon, lat) {
    try { localStorage.setItem(LAST_POSITION_KEY, JSON.stringify({ lon, lat, at: Date.now() })); } catch { /* not remembered */ }
}

function lastPosition() {
    try {
        const p = JSON.parse(localStorage.getItem(LAST_POSITION_KEY) ?? 'null');
        if (p && Number.isFinite(p.lon) && Number.isFinite(p.lat) && Date.now() - p.at < POSITION_MAX_AGE_MS) return p;
    } catch { /* none */ }
    return null;
}

function startView(host, opts) {
    if (opts.focus) return { center: [opts.focus.lon, opts.focus.lat], zoom: opts.focus.zoom ?? 14 };
    const me = lastPosition();
    if (me) return { center: [me.lon, me.lat], zoom: 11 };
    if (!opts.bounds) return { center: opts.centre, zoom: opts.zoom };
    const w = host.clientWidth || window.innerWidth, h = host.clientHeight || window.innerHeight;
    const padding = { top: Math.min(60, h * 0.1), bottom: Math.min(170, h * 0.25), left: Math.min(12, w * 0.05), right: Math.min(50, w * 0.1) };
    return { bounds: opts.bounds, fitBoundsOptions: { padding } };
}
const HEX_OPACITY = 0.45, HEX_LINE_OPACITY = 0.7, AREA_OPACITY = 0.3;
// A cell drawn as its area is fainter than a hexagon, so the fine hexagons on top of it stand out.
const fillOpacity = on => on ? ['case', ['==', ['get', 'drawn_as'], 'area'], AREA_OPACITY, HEX_OPACITY] : 0;

// The level a score falls in (levels sorted by their lower bound), as the API assigns it.
function levelOf(levels, score) {
    let level = levels[0]?.level ?? null;
    for (const l of levels) if (score >= l.min) level = l.level;
    return level;
}

// What a slot draws: hexagons with a forecast of their own (fine support) as they are, and the cells whose forecast
// comes only from events known to a municipality or county (coarse support) as one feature per area, with that
// area's outline: the data says no more about where in it. Areas go first so the hexagons draw on top.
function drawable(fc, levels, areaIndex) {
    if (!areaIndex || !fc.features?.some(f => f.properties?.support === 'coarse')) return { fc, areaCount: 0 };
    const groups = new Map(), hexes = [];
    for (const f of fc.features) {
        const p = f.properties ?? {}, a = p.support === 'coarse' ? p.support_area : null;
        const key = a ? `${a.kind}|${areaKey(a.name)}` : null;
        const area = key ? areaIndex.get(key) : null;
        if (!area) { hexes.push(f); continue; }
        if (!groups.has(key)) groups.set(key, { area, kind: a.kind, cells: [] });
        groups.get(key).cells.push(p);
    }
    const areas = [...groups.values()].map(({ area, kind, cells }) => {
        const mean = name => cells.reduce((t, p) => t + Number(p[name] ?? 0), 0) / cells.length;
        const busiest = cells.reduce((b, p) => Number(p.expected_count) > Number(b.expected_count) ? p : b);
        const score = mean('risk_score');
        return {
            type: 'Feature', geometry: area.geometry,
            properties: {
                drawn_as: 'area', area_name: area.properties.name, area_kind: kind, cells: cells.length,
                risk_score: score, risk_level: levelOf(levels, score), expected_count: mean('expected_count'),
                h3: busiest.h3, prediction_time: busiest.prediction_time,
            },
        };
    });
    return { fc: { ...fc, features: [...areas, ...hexes] }, areaCount: areas.length };
}

function buildMap(host, opts) {
    performance.mark('halo-map-start');
    loadAreas().catch(() => { /* reported when drawn */ }); // download the outline while the style loads
    const canvasHost = el('div', 'halo-map-canvas');
    host.append(canvasHost);
    let map;
    try {
        map = new maplibregl.Map({
            container: canvasHost, style: baseStyle(opts), ...startView(host, opts), maxZoom: 18, minZoom: 3,
            attributionControl: { compact: true }, dragRotate: false, pitchWithRotate: false,
        });
    } catch (e) {
        canvasHost.remove(); // no WebGL: leave no half-made map behind (the caller reports it)
        throw e;
    }
    map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
    map.keyboard.enable();
    window.haloMap = map; // the map's own API, for end-to-end tests and benchmarks
    const state = {
        hour: 0, enabled: opts.showPredictions, incidentsVisible: opts.showIncidents, labels: opts.labels ?? null,
        cache: new Map(), values: new Map(), controller: null, viewKey: null, seq: 0,
        tileLoaded: false, outline: false, incidents: [], me: null, destroyed: false,
        host, dotnet: null, pending: new Map(), direction: 1, data: {}, slots: [], active: -1, hotspotsLayer: null, hotspotsSource: null,
    };
    window.haloMapState = state;
    loadAreas().then(a => {
        state.areaIndex = new Map(a.features.map(f => [`${f.properties.kind}|${f.properties.area}`, f]));
        redrawAreas();
    }).catch(() => { /* coarse cells stay hexagons */ });

    // Attributes on the host element (tests read them); kept so a host that takes the map over gets them too.
    function setData(key, value) {
        state.data[key] = value;
        if (state.host) state.host.dataset[key] = value;
    }
    // Calls into .NET; until .NET has attached, the latest call of each kind waits.
    function notify(method, ...args) {
        if (state.destroyed) return;
        if (state.dotnet) state.dotnet.invokeMethodAsync(method, ...args).catch(e => console.warn(method, e));
        else state.pending.set(method, args);
    }
    setData('basemap', 'tiles');

    // Layers go in as soon as the style is parsed ('style.load'), not after the first full render ('load'), which
    // waits for the raster tiles.
    const ready = new Promise(resolve => { map.once('style.load', resolve); map.once('load', resolve); });

    // --- Base map: raster tiles over the outline; tiles failing (or never arriving) uncovers the outline.
    map.on('sourcedata', e => { if (e.sourceId === 'tiles' && e.tile && !state.outline) state.tileLoaded = true; });
    // For the benchmark: the first frame with the counties drawn.
    const outlineMark = e => {
        if (e.sourceId !== 'areas' || !e.tile || !map.isSourceLoaded('areas')) return;
        map.off('sourcedata', outlineMark);
        map.once('render', () => performance.mark('halo-outline-drawn'));
    };
    map.on('error', e => { if (e.sourceId === 'tiles' && !state.tileLoaded) useOutline(); });
    const tileTimer = setTimeout(() => { if (!state.tileLoaded) useOutline(); }, opts.tileTimeoutMs ?? 6000);
    function useOutline() {
        if (state.outline || state.destroyed) return;
        state.outline = true;
        if (map.getLayer('tiles')) map.setLayoutProperty('tiles', 'visibility', 'none');
        setData('basemap', 'outline');
        notify('OnBaseMap', 'outline');
    }

    ready.then(async () => {
        performance.mark('halo-style-ready');
        for (let i = 0; i < SLOTS; i++) {
            const source = `hotspots-${i}`, fill = `hotspots-fill-${i}`, line = `hotspots-line-${i}`;
            map.addSource(source, { type: 'geojson', data: EMPTY });
            map.addLayer({ id: fill, type: 'fill', source, paint: { 'fill-color': '#888888', 'fill-opacity': 0, 'fill-opacity-transition': { duration: 0 } } });
            map.addLayer({ id: line, type: 'line', source, paint: { 'line-color': '#ffffff', 'line-width': 0.5, 'line-opacity': 0, 'line-opacity-transition': { duration: 0 } } });
            state.slots.push({ i, source, fill, line, key: null, hour: null, fc: null, loaded: false, levelsKey: null, used: 0, onLoaded: [] });
        }
        map.on('sourcedata', e => {
            // Not on 'metadata': it comes before the tiles start reloading, while they still hold the slot's previous
            // hour, and isSourceLoaded() is already true then (the swap would show, and report, the wrong hour).
            if (e.sourceDataType === 'metadata') return;
            const slot = state.slots.find(s => s.source === e.sourceId);
            if (!slot || slot.loaded || !slot.key || !map.isSourceLoaded(slot.source)) return;
            slot.loaded = true;
            const waiting = slot.onLoaded; slot.onLoaded = [];
            waiting.forEach(f => f());
        });
        map.addSource('incident-areas', { type: 'geojson', data: EMPTY });
        map.addLayer({ id: 'incident-areas-fill', type: 'fill', source: 'incident-areas', paint: { 'fill-color': '#1d4ed8', 'fill-opacity': 0.12 } });
        map.addLayer({ id: 'incident-areas-line', type: 'line', source: 'incident-areas', paint: { 'line-color': '#1d4ed8', 'line-width': 1.5, 'line-dasharray': [2, 1] } });
        map.addSource('incidents', { type: 'geojson', data: EMPTY, cluster: true, clusterMaxZoom: 11, clusterRadius: 40 });
        map.addLayer({ id: 'incident-clusters', type: 'circle', source: 'incidents', filter: ['has', 'point_count'],
            paint: { 'circle-color': '#1e3a8a', 'circle-opacity': 0.8, 'circle-stroke-color': '#ffffff', 'circle-stroke-width': 2,
                     'circle-radius': ['step', ['get', 'point_count'], 10, 10, 14, 50, 19, 200, 25] } });
        map.addLayer({ id: 'incident-points', type: 'circle', source: 'incidents', filter: ['!', ['has', 'point_count']],
            paint: { 'circle-color': ['case', ['get', 'verified'], '#1d4ed8', '#7c3aed'], 'circle-radius': 6,
                     'circle-stroke-color': '#ffffff', 'circle-stroke-width': 2 } });
        map.addSource('me', { type: 'geojson', data: EMPTY });
        map.addLayer({ id: 'me', type: 'circle', source: 'me', paint: { 'circle-color': '#0ea5e9', 'circle-radius': 7, 'circle-stroke-color': '#fff', 'circle-stroke-width': 3 } });
        applyVisibility();
        if (!state.enabled) mapReady();
        // Hexagons first: their request goes out before the (larger) outline file is parsed.
        viewChanged();
        const municipalitiesLater = new Promise(resolve => { state.firstDrawn = resolve; setTimeout(resolve, state.enabled ? 3000 : 0); });
        try { await drawOutline(map, municipalitiesLater, () => map.on('sourcedata', outlineMark)); } catch (e) { console.warn('Outline base map not loaded', e); }
        if (state.incidents.length) drawIncidents();
    });

    // --- Pan/zoom: debounced; hotspots for the new view (the previous request cancelled), incidents via .NET.
    let debounce = null;
    map.on('moveend', () => { clearTimeout(debounce); debounce = setTimeout(viewChanged, opts.debounceMs ?? 250); });
    function viewChanged() {
        if (state.destroyed) return;
        const b = map.getBounds();
        notify('OnViewChanged', [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()], map.getZoom());
        refreshHotspots();
    }

    function hotspotUrl(view, hour) {
        // detail=summary: what the map draws (a quarter of the full size to download, parse, lay out and cache);
        // a tap asks for the cell's factors.
        return `api/v1/predictions/hotspots?bbox=${view.bbox}&hours_ahead=${hour}&resolution=${view.res}&format=geojson&detail=summary&limit=${opts.hotspotLimit ?? 1000}`;
    }

    function fetchHour(view, hour) {
        const k = `${view.key}|${hour}`;
        if (state.cache.has(k)) return state.cache.get(k);
        const signal = state.controller.signal;
        const p = fetch(hotspotUrl(view, hour), { signal, headers: { Accept: 'application/geo+json, application/json' } })
            .then(async r => {
                if (!r.ok) { const err = new Error(`hotspots ${r.status}`); err.status = r.status; throw err; }
                const fc = await r.json();
                if (!performance.getEntriesByName('halo-hotspots-fetched').length) performance.mark('halo-hotspots-fetched');
                state.values.set(k, fc);
                if (state.values.size > 96) { const first = state.values.keys().next().value; state.values.delete(first); state.cache.delete(first); }
                return fc;
            });
        state.cache.set(k, p);
        p.catch(() => { if (state.cache.get(k) === p) state.cache.delete(k); });
        return p;
    }

    function refreshHotspots() {
        if (!state.enabled || !state.slots.length) return;
        const view = viewFor(map);
        if (view.key !== state.viewKey) {
            // A new view: cancel what the old one still had in flight (its finished answers stay cached).
            state.controller?.abort();
            state.controller = new AbortController();
            state.viewKey = view.key;
        }
        showHour(state.hour, view);
    }

    function showHour(hour, view) {
        const seq = ++state.seq;
        const k = `${view.key}|${hour}`;
        const shown = () => { if (seq === state.seq) { activate(k, hour, seq); prefetch(view, hour); } };
        const fc = state.values.get(k);
        if (fc) { load(k, hour, fc, shown); return; }
        // Until the new hour arrives the old cells stay: no blank map, no jitter.
        fetchHour(view, hour).then(f => { if (seq === state.seq) load(k, hour, f, shown); })
            .catch(async e => {
                if (e.name === 'AbortError' || seq !== state.seq) return;
                // Offline (no answer at all): the last saved cells, for this view if saved, else the newest, marked stale.
                const saved = e.status === undefined ? await cacheGet(`hotspots|${k}`, 'hotspots|') : null;
                if (saved && seq === state.seq) {
                    const fc = JSON.parse(saved.json);
                    fc.staleAt = new Date(saved.at).toISOString();
                    load(`stale|${k}`, hour, fc, () => { if (seq === state.seq) activate(`stale|${k}`, hour, seq); });
                    return;
                }
                if (seq === state.seq) { notify('OnHotspotsFailed', e.status ?? 0); mapReady(); }
            });
    }

    // Neighbouring hours are fetched and laid out in spare slots, so the next step is only a swap: four ahead in the
    // direction the slider last moved, and one behind.
    function prefetch(view, hour) {
        const d = state.direction;
        for (const h of [hour + d, hour + 2 * d, hour - d, hour + 3 * d, hour + 4 * d]) {
            if (h < 0 || h > 23) continue;
            const k = `${view.key}|${h}`;
            fetchHour(view, h).then(fc => { if (state.viewKey === view.key && !state.destroyed) load(k, h, fc, null); }).catch(() => { });
        }
    }

    // Puts an hour's cells into a slot (the one that has them, else the least recently used one that is not shown)
    // and calls back once the slot's tiles are laid out.
    function load(k, hour, fc, then) {
        let slot = state.slots.find(s => s.key === k);
        if (!slot) {
            slot = state.slots.filter(s => s.i !== state.active && !s.onLoaded.length).sort((a, b) => a.used - b.used)[0];
            slot.key = k; slot.hour = hour; slot.fc = fc; slot.loaded = false; slot.onLoaded = [];
            const levels = normaliseLevels(fc.levels ?? fc.risk_levels ?? fc.meta?.levels);
            slot.levels = levels;
            const lk = JSON.stringify(levels);
            if (lk !== slot.levelsKey) {
                slot.levelsKey = lk;
                map.setPaintProperty(slot.fill, 'fill-color', fillColour(levels));
                const o = outlinePaint(levels);
                map.setPaintProperty(slot.line, 'line-width', o.width);
                map.setPaintProperty(slot.line, 'line-color', o.color);
            }
            const d = drawable(fc, levels, state.areaIndex);
            slot.withAreas = !!state.areaIndex; slot.areaCount = d.areaCount;
            map.getSource(slot.source).setData(d.fc);
        }
        slot.used = performance.now();
        if (!then) return;
        if (slot.loaded) then(); else slot.onLoaded.push(then);
    }

    function activate(k, hour, seq) {
        const slot = state.slots.find(s => s.key === k);
        if (!slot) return;
        if (state.active !== slot.i) {
            const old = state.slots[state.active];
            map.setPaintProperty(slot.fill, 'fill-opacity', fillOpacity(state.enabled));
            map.setPaintProperty(slot.line, 'line-opacity', state.enabled ? HEX_LINE_OPACITY : 0);
            if (old) { map.setPaintProperty(old.fill, 'fill-opacity', 0); map.setPaintProperty(old.line, 'line-opacity', 0); }
            state.active = slot.i;
        }
        state.hotspotsLayer = slot.fill;
        state.hotspotsSource = slot.source;
        state.shownHour = hour;
        setData('hotspotsLayer', slot.fill);
        setData('hotspotsHour', String(hour));
        // Drawn: the first frame rendered after the swap.
        map.once('render', () => {
            if (seq !== state.seq) return;
            if (state.drawnHour === undefined) { performance.mark('halo-hexagons-drawn'); state.firstDrawn?.(); mapReady(); }
            state.drawnHour = hour;
            state.drawnAt = performance.now();
            setData('hotspotsDrawnHour', String(hour));
        });
        map.triggerRepaint();
        const fc = slot.fc;
        // The shown hour is saved for offline use (not a stale one again: it keeps the time it was first saved).
        if (!fc.staleAt) cachePut(`hotspots|${k}`, JSON.stringify(fc));
        setData('hotspotsStale', fc.staleAt ?? '');
        shownNotice(slot, hour);
    }

    function shownNotice(slot, hour) {
        const fc = slot.fc;
        setData('hotspotAreas', String(slot.areaCount ?? 0));
        notify('OnHotspots', {
            hour, count: fc.features?.length ?? 0, areas: slot.areaCount ?? 0, modelVersion: fc.model_version ?? fc.meta?.model_version ?? null,
            computedAt: fc.computed_at ?? fc.meta?.computed_at ?? null, levels: slot.levels, staleAt: fc.staleAt ?? null,
        });
    }

    // The areas arrived after some hours were laid out: those hours are drawn again with their coarse cells as areas.
    function redrawAreas() {
        for (const slot of state.slots) {
            if (!slot.fc || slot.withAreas) continue;
            const d = drawable(slot.fc, slot.levels, state.areaIndex);
            slot.withAreas = true; slot.areaCount = d.areaCount;
            if (!d.areaCount) continue;
            map.getSource(slot.source).setData(d.fc);
            if (slot.i === state.active) shownNotice(slot, slot.hour);
        }
    }

    // --- Incidents: points (clustered at low zoom) and coarse police events as their area.
    async function drawIncidents() {
        if (!map.getSource('incidents')) return;
        let index = new Map();
        try { const areas = await loadAreas(); index = new Map(areas.features.map(f => [f.properties.area, f])); } catch { /* points only */ }
        const points = [], byArea = new Map();
        for (const i of state.incidents) {
            const area = i.precisionM >= COARSE_M && i.locationName ? index.get(areaKey(i.locationName)) : null;
            if (area) {
                if (!byArea.has(area.properties.area)) byArea.set(area.properties.area, { area, items: [] });
                byArea.get(area.properties.area).items.push(i);
            } else {
                points.push({ type: 'Feature', geometry: { type: 'Point', coordinates: [i.longitude, i.latitude] },
                    properties: { id: i.id, verified: i.verified } });
            }
        }
        const areaFeatures = [...byArea.values()].map(({ area, items }) => ({
            type: 'Feature', geometry: area.geometry, properties: { area: area.properties.area, name: area.properties.name, count: items.length },
        }));
        state.areaItems = new Map([...byArea.values()].map(({ area, items }) => [area.properties.area, items]));
        state.byId = new Map(state.incidents.map(i => [i.id, i]));
        map.getSource('incidents').setData({ type: 'FeatureCollection', features: points });
        map.getSource('incident-areas').setData({ type: 'FeatureCollection', features: areaFeatures });
        setData('incidentPoints', String(points.length));
        setData('incidentAreas', String(areaFeatures.length));
    }

    function applyVisibility() {
        const set = (ids, on) => ids.forEach(id => map.getLayer(id) && map.setLayoutProperty(id, 'visibility', on ? 'visible' : 'none'));
        // Hexagons: the shown slot's opacity (visibility would make every slot reload its tiles).
        const slot = state.slots[state.active];
        if (slot) {
            map.setPaintProperty(slot.fill, 'fill-opacity', fillOpacity(state.enabled));
            map.setPaintProperty(slot.line, 'line-opacity', state.enabled ? HEX_LINE_OPACITY : 0);
        }
        set(['incident-clusters', 'incident-points', 'incident-areas-fill', 'incident-areas-line'], state.incidentsVisible);
    }

    // --- Popups (text only: nothing from the API is parsed as HTML).
    // At most the screen's width less a margin, so it fits a 360 px phone.
    const popup = new maplibregl.Popup({ closeButton: true, maxWidth: 'min(320px, calc(100vw - 32px))' });
    function incidentNode(i) {
        const d = el('div', 'popup-incident');
        d.append(el('strong', null, i.typeLabel), el('div', 'popup-time', i.timeLabel));
        if (i.title && i.title !== i.typeLabel) d.append(el('div', 'popup-title', i.title));
        if (i.summary) d.append(el('p', null, i.summary));
        const meta = el('div', 'popup-meta', i.sourceLabel + (i.verified ? ` · ${state.labels.verified}` : ''));
        d.append(meta);
        if (i.countsLabel) d.append(el('div', 'popup-counts', i.countsLabel));
        if (i.sourceUrl && /^https?:\/\//.test(i.sourceUrl)) {
            const a = el('a', null, state.labels.source);
            a.href = i.sourceUrl; a.target = '_blank'; a.rel = 'noopener noreferrer';
            d.append(a);
        }
        return d;
    }
    const clickable = () => ['incident-clusters', 'incident-points', 'incident-areas-fill', state.enabled ? state.hotspotsLayer : null].filter(l => l && map.getLayer(l));
    // A tap shows everything under it: the hexagon's risk and the events there (a cluster zooms in instead).
    map.on('click', async e => {
        if (!state.labels) return; // before .NET has attached there are no words for the popup yet
        const hits = map.queryRenderedFeatures(e.point, { layers: clickable() });
        if (!hits.length) return;
        const cluster = hits.find(f => f.layer.id === 'incident-clusters');
        if (cluster) {
            const z = await map.getSource('incidents').getClusterExpansionZoom(cluster.properties.cluster_id);
            map.easeTo({ center: cluster.geometry.coordinates, zoom: z });
            return;
        }
        const box = el('div', 'halo-popup');
        // A hexagon drawn over an area is the finer forecast for the place tapped.
        const risk = hits.filter(f => f.layer.id === state.hotspotsLayer);
        const hex = risk.find(f => f.properties.drawn_as !== 'area') ?? risk[0];
        if (hex) box.append(riskNode(hex.properties));
        const shown = new Set();
        for (const f of hits.filter(h => h.layer.id === 'incident-points')) {
            const i = state.byId?.get(f.properties.id);
            if (i && !shown.has(i.id)) { shown.add(i.id); box.append(incidentNode(i)); }
        }
        const area = hits.find(f => f.layer.id === 'incident-areas-fill');
        if (area) {
            const items = state.areaItems?.get(area.properties.area) ?? [];
            box.append(el('div', 'popup-area', `${state.labels.area}: ${area.properties.name} (${items.length})`));
            for (const i of items.slice(0, 5)) box.append(incidentNode(i));
        }
        if (!box.childNodes.length) return;
        popup.setLngLat(e.lngLat).setDOMContent(box).addTo(map);
    });
    const num = (v, digits = 1) => Number(v).toLocaleString(state.labels.locale, { maximumFractionDigits: digits });
    // The API's display strings use a decimal point; the app's language may want a comma.
    const localNumber = t => t.replace(/\d+\.\d+/g, m => num(m));
    // As RiskMath.ExpectedDisplay: "< 1" below one event, else rounded down (one decimal below 10).
    const expectedDisplay = e => !(e >= 1) ? '< 1' : e < 10 ? num(Math.floor(e * 10) / 10) : num(Math.floor(e), 0);
    // One structured factor in the app's language (an unknown kind is left out rather than shown in English).
    function factorText(x) {
        const t = state.labels.factorTexts ?? {};
        const template = t[x?.kind];
        if (!template) return null;
        const pad = h => String(h).padStart(2, '0');
        let day = '';
        if (x.day_of_week != null) {
            // 1 January 2023 was a Sunday (.NET DayOfWeek 0).
            const name = new Date(Date.UTC(2023, 0, 1 + x.day_of_week)).toLocaleDateString(state.labels.locale, { weekday: 'long', timeZone: 'UTC' });
            day = name.charAt(0).toUpperCase() + name.slice(1) + (t.days_suffix ?? '');
        }
        const values = {
            count: x.count != null ? num(x.count, 0) : '', events: x.count === 1 ? t.event : t.events,
            radius: x.radius_m != null ? num(x.radius_m, 0) : '', ratio: x.ratio != null ? num(x.ratio) : '',
            days: x.days_ago != null ? num(Math.round(x.days_ago), 0) : '', area: x.area ?? '',
            areakind: x.area_kind === 'county' ? t.county : t.municipality,
            day, from: x.hour != null ? `${pad(x.hour)}:00` : '', to: x.hour != null ? `${pad((x.hour + 1) % 24)}:00` : '',
        };
        return template.replace(/\{(\w+)\}/g, (_, k) => values[k] ?? '');
    }
    function riskNode(p) {
        const d = el('div', 'popup-risk');
        const factors = typeof p.factors === 'string' ? (() => { try { return JSON.parse(p.factors); } catch { return [p.factors]; } })() : (p.factors ?? []);
        const level = state.labels.levels?.[p.risk_level] ?? p.risk_level ?? '';
        d.append(el('strong', null, `${state.labels.risk}: ${level} (${Math.round(Number(p.risk_score) * 100)} %)`));
        const isArea = p.drawn_as === 'area';
        if (isArea) {
            const kind = p.area_kind === 'county' ? state.labels.factorTexts?.county : state.labels.factorTexts?.municipality;
            d.append(el('div', 'popup-area-forecast', (state.labels.areaForecast ?? '').replace('{area}', p.area_name ?? '').replace('{areakind}', kind ?? '')));
        }
        d.append(el('div', null, `${isArea ? state.labels.expectedPerCell : state.labels.expected}: ${p.expected_count_display ? localNumber(p.expected_count_display) : expectedDisplay(Number(p.expected_count))}`));
        const showFactors = list => {
            if (!list?.length) return;
            d.append(el('div', 'popup-factors-title', state.labels.factors));
            const ul = el('ul', 'popup-factors');
            for (const x of list) ul.append(el('li', null, typeof x === 'string' ? x : (x?.label ?? x?.text ?? x?.name ?? JSON.stringify(x))));
            d.append(ul);
        };
        if (factors.length || !p.h3) showFactors(factors);
        else {
            // The map's cells come without factors: the tapped one's, for the hour shown, are asked for now (offline
            // the popup keeps what it has).
            const hour = state.shownHour ?? state.hour;
            fetch(`api/v1/predictions/cell/${encodeURIComponent(p.h3)}?hours_ahead=${hour}`, { headers: { Accept: 'application/json' } })
                .then(r => r.ok ? r.json() : null)
                .then(c => {
                    showFactors(c?.factor_details?.map(factorText).filter(t => t));
                    // Taller now: placed again, so it stays on screen.
                    if (popup.isOpen()) popup.setLngLat(popup.getLngLat());
                }).catch(() => { });
        }
        return d;
    }
    map.on('mousemove', e => {
        const layers = clickable();
        map.getCanvas().style.cursor = layers.length && map.queryRenderedFeatures(e.point, { layers }).length ? 'pointer' : '';
    });

    // The first hour's request goes out now, while the style and the outline load (the view is known already).
    if (state.enabled) {
        state.controller = new AbortController();
        const view = viewFor(map);
        state.viewKey = view.key;
        fetchHour(view, state.hour).catch(() => { /* reported when the hour is shown */ });
    }

    const api = {
        setHour(hour) {
            const h = Math.max(0, Math.min(23, hour | 0));
            if (h !== state.hour) state.direction = h > state.hour ? 1 : -1;
            state.hour = h;
            if (state.enabled && state.viewKey) showHour(state.hour, viewFor(map));
        },
        setLayers(predictions, incidents) {
            const was = state.enabled;
            state.enabled = predictions; state.incidentsVisible = incidents;
            if (map.loaded()) applyVisibility(); else ready.then(applyVisibility);
            if (predictions && !was) refreshHotspots();
        },
        setIncidents(items) { state.incidents = items; drawIncidents(); },
        setLabels(labels) { state.labels = labels; },
        // A new forecast is served (the hub's predictions_updated): every cached hour is of the old one. The shown
        // cells stay until the new ones are drawn.
        reloadPredictions(modelVersion) {
            state.cache.clear(); state.values.clear();
            for (const slot of state.slots) { if (slot.i !== state.active) { slot.key = null; slot.fc = null; } else slot.key = `stale|${slot.key}`; }
            state.predictionsReloads = (state.predictionsReloads ?? 0) + 1;
            setData('modelVersion', modelVersion ?? '');
            refreshHotspots();
        },
        centreOn(lon, lat, accuracyM) {
            rememberPosition(lon, lat);
            map.getSource('me')?.setData({ type: 'FeatureCollection', features: [{ type: 'Feature', geometry: { type: 'Point', coordinates: [lon, lat] }, properties: {} }] });
            map.flyTo({ center: [lon, lat], zoom: Math.max(map.getZoom(), accuracyM > 2000 ? 10 : 13), duration: 600 });
        },
        centre() { const c = map.getCenter(); return [c.lng, c.lat, map.getZoom()]; },
        dispose() {
            state.destroyed = true; clearTimeout(tileTimer); clearTimeout(debounce); state.controller?.abort(); map.remove();
            canvasHost.remove();
            if (window.haloMap === map) window.haloMap = null;
        },
    };

    return {
        api,
        destroyed: () => state.destroyed,
        // .NET takes the map over: its element, its callbacks, its settings (the user may have changed them since boot).
        attach(container, dotnet, o) {
            performance.mark('halo-map-attached');
            const previous = state.host;
            if (container !== previous) {
                container.append(canvasHost);
                if (previous && previous.id === 'halo-early-map') previous.remove();
                state.host = container;
                for (const [k, v] of Object.entries(state.data)) container.dataset[k] = v;
                map.resize();
            }
            state.labels = o.labels ?? state.labels;
            if (o.focus) map.jumpTo({ center: [o.focus.lon, o.focus.lat], zoom: o.focus.zoom ?? 14 });
            if (o.tileUrl && o.tileUrl !== opts.tileUrl) map.getSource('tiles')?.setTiles([o.tileUrl]);
            state.dotnet = dotnet;
            const waiting = [...state.pending]; state.pending.clear();
            for (const [method, args] of waiting) notify(method, ...args);
            api.setLayers(o.showPredictions, o.showIncidents);
            if (o.hour !== undefined && o.hour !== state.hour) api.setHour(o.hour);
            setData('attached', 'true'); // the page's element holds the map and .NET hears from it (tests wait for this)
        },
    };
}

// A small map for the report form: click or drag the pin to set where it happened.
export function createPicker(container, dotnet, opts) {
    const map = new maplibregl.Map({ container, style: baseStyle(opts), center: opts.centre, zoom: opts.zoom, attributionControl: { compact: true }, dragRotate: false });
    let tileLoaded = false;
    map.on('sourcedata', e => { if (e.sourceId === 'tiles' && e.tile) tileLoaded = true; });
    const outline = () => { if (!tileLoaded && map.getLayer('tiles')) map.setLayoutProperty('tiles', 'visibility', 'none'); };
    map.on('error', e => { if (e.sourceId === 'tiles') outline(); });
    const t = setTimeout(outline, opts.tileTimeoutMs ?? 6000);
    map.on('load', async () => { try { await drawOutline(map, null); } catch { /* blank background */ } });
    let marker = null;
    function place(lon, lat, notify) {
        if (!marker) {
            marker = new maplibregl.Marker({ draggable: true, color: '#b91c1c' }).setLngLat([lon, lat]).addTo(map);
            marker.getElement().setAttribute('aria-label', opts.pinLabel);
            marker.on('dragend', () => { const p = marker.getLngLat(); dotnet.invokeMethodAsync('OnPinMoved', p.lat, p.lng); });
        } else marker.setLngLat([lon, lat]);
        if (notify) dotnet.invokeMethodAsync('OnPinMoved', lat, lon);
    }
    map.on('click', e => place(e.lngLat.lng, e.lngLat.lat, true));
    return {
        setPin(lon, lat, zoom) { place(lon, lat, false); map.jumpTo({ center: [lon, lat], zoom: zoom ?? Math.max(map.getZoom(), 14) }); },
        dispose() { clearTimeout(t); map.remove(); },
    };
}
