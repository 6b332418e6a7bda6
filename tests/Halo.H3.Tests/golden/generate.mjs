// Generates golden vectors for Halo.H3 from h3-js 4.5.0 (the reference implementation).
// Deterministic: a fixed-seed PRNG drives every random choice, so re-running gives identical files.
// Usage: npm ci && node generate.mjs [path/to/swedish_municipalities.geojson]
// Output: *.bin.gz in this folder (little-endian binary, read by GoldenData.cs).
import * as h3 from 'h3-js';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

// ---- deterministic PRNG (mulberry32) ----
let seed = 0x48330001;
function rand() {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const randInt = (n) => Math.floor(rand() * n);
const rad = (d) => (d * Math.PI) / 180;
const deg = (r) => (r * 180) / Math.PI;

// Uniform on the sphere, radians.
function randomPoint() {
    const lng = (2 * rand() - 1) * Math.PI;
    const lat = Math.asin(2 * rand() - 1);
    return [lat, lng];
}

// ---- binary writer ----
class Writer {
    constructor() { this.chunks = []; this.buf = Buffer.alloc(1 << 16); this.pos = 0; }
    ensure(n) { if (this.pos + n > this.buf.length) { this.chunks.push(this.buf.subarray(0, this.pos)); this.buf = Buffer.alloc(Math.max(1 << 16, n)); this.pos = 0; } }
    u8(v) { this.ensure(1); this.buf.writeUInt8(v, this.pos); this.pos += 1; }
    i8(v) { this.ensure(1); this.buf.writeInt8(v, this.pos); this.pos += 1; }
    i32(v) { this.ensure(4); this.buf.writeInt32LE(v, this.pos); this.pos += 4; }
    f64(v) { this.ensure(8); this.buf.writeDoubleLE(v, this.pos); this.pos += 8; }
    u64(hex) { this.ensure(8); this.buf.writeBigUInt64LE(BigInt('0x' + hex), this.pos); this.pos += 8; }
    varint(big) { // unsigned LEB128 of a BigInt
        do { let b = Number(big & 0x7fn); big >>= 7n; if (big !== 0n) b |= 0x80; this.u8(b); } while (big !== 0n);
    }
    // Sorted set of cells as count + first + LEB128 deltas (compact: neighbouring cells share prefixes).
    cellSet(cells) {
        const sorted = cells.map((c) => BigInt('0x' + c)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        this.i32(sorted.length);
        let prev = 0n;
        for (const c of sorted) { this.varint(c - prev); prev = c; }
    }
    save(name) {
        this.chunks.push(this.buf.subarray(0, this.pos));
        const data = zlib.gzipSync(Buffer.concat(this.chunks), { level: 9 });
        fs.writeFileSync(path.join(here, name), data);
        console.log(`${name}: ${(data.length / 1024).toFixed(0)} KiB`);
    }
}

// ---- icosahedron face centres (published H3 constants), for points on face edges ----
const FACE_CENTERS = [
    [0.803582649718989942, 1.248397419617396099], [1.307747883455638156, 2.536945009877921159],
    [1.054751253523952054, -1.347517358900396623], [0.600191595538186799, -0.450603909469755746],
    [0.491715428198773866, 0.401988202911306943], [0.172745327415618701, 1.678146885280433686],
    [0.605929321571350690, 2.953923329812411617], [0.427370518328979641, -1.888876200336285401],
    [-0.079066118549212831, -0.733429513380867741], [-0.230961644455383637, 0.506495587332349035],
    [0.079066118549212831, 2.408163140208925497], [0.230961644455383637, -2.635097066257444203],
    [-0.172745327415618701, -1.463445768309359553], [-0.605929321571350690, -0.187669323777381622],
    [-0.427370518328979641, 1.252716453253507838], [-0.600191595538186799, 2.690988744120037492],
    [-0.491715428198773866, -2.739604450678486295], [-0.803582649718989942, -1.893195233972397139],
    [-1.307747883455638156, -0.604647643711872080], [-1.054751253523952054, 1.794075294689396615],
];
const toXyz = ([lat, lng]) => [Math.cos(lat) * Math.cos(lng), Math.cos(lat) * Math.sin(lng), Math.sin(lat)];
const toLatLng = ([x, y, z]) => { const n = Math.hypot(x, y, z); return [Math.asin(z / n), Math.atan2(y, x)]; };
const dot = (a, b) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const cross = (a, b) => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
const FACE_XYZ = FACE_CENTERS.map(toXyz);
const ADJACENT = [];
for (let a = 0; a < 20; a++) for (let b = a + 1; b < 20; b++) if (dot(FACE_XYZ[a], FACE_XYZ[b]) > 0.7) ADJACENT.push([a, b]);

// A random point on an icosahedron edge (the bisector of two adjacent face centres), radians.
function randomEdgePoint() {
    const [a, b] = ADJACENT[randInt(ADJACENT.length)];
    const A = FACE_XYZ[a], B = FACE_XYZ[b];
    const mid = [A[0] + B[0], A[1] + B[1], A[2] + B[2]];
    const c = cross(A, B); const cn = Math.hypot(...c);
    const t = (2 * rand() - 1) * 0.55; // stays within the edge's length
    const m = Math.hypot(...mid);
    return toLatLng([mid[0] / m + t * c[0] / cn, mid[1] / m + t * c[1] / cn, mid[2] / m + t * c[2] / cn]);
}

const pentagons = [];
for (let r = 0; r <= 15; r++) pentagons.push(...h3.getPentagons(r));

// ================= 1. points: latLngToCell =================
{
    const w = new Writer();
    const special = [];
    for (const lat of [Math.PI / 2, -Math.PI / 2]) for (const lng of [0, 1, -2, Math.PI]) special.push([lat, lng]);
    for (let i = 0; i < 200; i++) special.push([Math.asin(2 * rand() - 1), rand() < 0.5 ? Math.PI : -Math.PI]); // antimeridian
    for (let i = 0; i < 200; i++) special.push([(Math.PI / 2) * (1 - rand() * 1e-3) * (rand() < 0.5 ? 1 : -1), (2 * rand() - 1) * Math.PI]); // near poles
    // On and near icosahedron edges. Exactly on an edge, Class II cell edges coincide with it and the
    // containing cell is decided by the last ulp of the arithmetic, so these check bit-level fidelity.
    for (let i = 0; i < 200; i++) special.push(randomEdgePoint());
    for (let i = 0; i < 400; i++) { const [la, ln] = randomEdgePoint(); special.push([la + (2 * rand() - 1) * 1e-6, ln + (2 * rand() - 1) * 1e-6]); }
    for (const p of pentagons) { const [la, ln] = h3.cellToLatLng(p); special.push([rad(la), rad(ln)]); }
    const n = 240000;
    w.i32(n + special.length);
    const emit = ([lat, lng], res) => {
        w.f64(lat); w.f64(lng); w.u8(res);
        w.u64(h3.latLngToCell(deg(lat), deg(lng), res));
    };
    // h3-js takes degrees; passing deg(rad) values means the C side sees rad(deg(x)), which we store as the input instead.
    const roundTrip = ([lat, lng]) => [rad(deg(lat)), rad(deg(lng))];
    for (let i = 0; i < n; i++) emit(roundTrip(randomPoint()), i % 16);
    special.forEach((p, i) => emit(roundTrip(p), i % 16));
    w.save('points.bin.gz');
}

// ================= 2. cells: centre, boundary, area =================
{
    const cells = new Set();
    for (const c of h3.getRes0Cells()) { cells.add(c); for (const ch of h3.cellToChildren(c, 1)) cells.add(ch); for (const ch of h3.cellToChildren(c, 2)) cells.add(ch); }
    for (const p of pentagons) cells.add(p);
    for (let i = 0; i < 16000; i++) { const [la, ln] = randomPoint(); cells.add(h3.latLngToCell(deg(la), deg(ln), i % 16)); }
    // distorted Class III cells: cells straddling icosahedron edges at odd resolutions
    let distorted = 0;
    for (let i = 0; i < 6000; i++) {
        const [la, ln] = randomEdgePoint();
        const c = h3.latLngToCell(deg(la), deg(ln), 1 + 2 * (i % 8));
        if (h3.cellToBoundary(c).length > 6) distorted++;
        cells.add(c);
    }
    console.log(`cells: ${cells.size}, of which ${distorted} sampled on icosahedron edges have > 6 vertices`);
    const w = new Writer();
    w.i32(cells.size);
    for (const c of cells) {
        w.u64(c);
        const [la, ln] = h3.cellToLatLng(c);
        // cellToLatLng in degrees is rads*180/pi; store radians recovered exactly enough (1e-15) for a 1e-9 check
        w.f64(rad(la)); w.f64(rad(ln));
        const b = h3.cellToBoundary(c);
        w.u8(b.length);
        for (const [vla, vln] of b) { w.f64(rad(vla)); w.f64(rad(vln)); }
        w.f64(h3.cellArea(c, 'rads2'));
        w.f64(h3.cellArea(c, 'km2'));
        w.f64(h3.cellArea(c, 'm2'));
    }
    w.save('cells.bin.gz');
}

// ================= 3. traversal: gridDisk, distances, ring, gridDistance, areNeighborCells =================
{
    const origins = [];
    for (const p of pentagons) origins.push(p);
    for (const p of pentagons) for (const n of h3.gridDisk(p, 2)) if (n !== p) origins.push(n);
    for (let i = 0; i < 2500; i++) { const [la, ln] = randomPoint(); origins.push(h3.latLngToCell(deg(la), deg(ln), i % 16)); }
    for (let i = 0; i < 400; i++) { const [la, ln] = randomEdgePoint(); origins.push(h3.latLngToCell(deg(la), deg(ln), i % 16)); }
    const w = new Writer();
    w.i32(origins.length);
    origins.forEach((o, idx) => {
        const k = idx % 6;
        w.u64(o); w.u8(k);
        const dd = h3.gridDiskDistances(o, k); // array of rings
        const members = [];
        dd.forEach((ring, d) => ring.forEach((c) => members.push([c, d])));
        members.sort((a, b) => (BigInt('0x' + a[0]) < BigInt('0x' + b[0]) ? -1 : 1));
        w.i32(members.length);
        for (const [c, d] of members) {
            w.u64(c); w.u8(d);
            let gd = -1;
            try { gd = h3.gridDistance(o, c); } catch { gd = -1; }
            w.i32(gd);
            w.u8(h3.areNeighborCells(o, c) ? 1 : 0);
        }
        let ring = null;
        try { ring = h3.gridRing(o, k); } catch { ring = null; }
        if (ring === null) w.i32(-1); else w.cellSet(ring);
    });
    // far pairs for gridDistance
    const pairs = [];
    for (let i = 0; i < 3000; i++) {
        const res = i % 16;
        const [la, ln] = randomPoint();
        const a = h3.latLngToCell(deg(la), deg(ln), res);
        const spread = h3.getHexagonEdgeLengthAvg(res, 'km') / 6371 * (1 + randInt(40));
        const b = h3.latLngToCell(deg(la + (2 * rand() - 1) * spread), deg(ln + (2 * rand() - 1) * spread), res);
        let gd = -1;
        try { gd = h3.gridDistance(a, b); } catch { gd = -1; }
        pairs.push([a, b, gd]);
    }
    w.i32(pairs.length);
    for (const [a, b, gd] of pairs) { w.u64(a); w.u64(b); w.i32(gd); }
    w.save('traversal.bin.gz');
}

// ================= 4. hierarchy =================
{
    const w = new Writer();
    const cells = [...pentagons.filter((p) => h3.getResolution(p) <= 13)];
    for (let i = 0; i < 800; i++) { const [la, ln] = randomPoint(); cells.push(h3.latLngToCell(deg(la), deg(ln), i % 14)); }
    w.i32(cells.length);
    for (const c of cells) {
        const res = h3.getResolution(c);
        w.u64(c);
        w.u8(res);
        for (let p = 0; p < res; p++) w.u64(h3.cellToParent(c, p));
        for (let r = res; r <= 15; r++) w.u64(h3.cellToCenterChild(c, r));
        const kids1 = h3.cellToChildren(c, res + 1), kids2 = h3.cellToChildren(c, res + 2);
        w.i32(kids1.length); for (const k of kids1) w.u64(k); // upstream order
        w.i32(kids2.length); for (const k of kids2) w.u64(k);
        w.u8(h3.isPentagon(c) ? 1 : 0); w.u8(h3.getBaseCellNumber(c));
    }
    // validity of random / corrupted indexes
    const probes = [];
    for (let i = 0; i < 4000; i++) {
        const [la, ln] = randomPoint();
        let c = BigInt('0x' + h3.latLngToCell(deg(la), deg(ln), i % 16));
        if (i % 2 === 1) c ^= 1n << BigInt(randInt(64)); // flip one bit
        probes.push(c.toString(16));
    }
    w.i32(probes.length);
    for (const p of probes) { w.u64(p); w.u8(h3.isValidCell(p) ? 1 : 0); }
    w.save('hierarchy.bin.gz');
}

// ================= 5. polygons =================
{
    const geojsonPath = process.argv[2] ?? path.resolve(here, '../../../../shared/data/sweden/swedish_municipalities.geojson');
    const geo = JSON.parse(fs.readFileSync(geojsonPath, 'utf8'));
    const w = new Writer();
    const entries = [];
    // Every municipality (all 290, including multipolygons and ones with holes) at res 5-8.
    geo.features.forEach((f, fi) => {
        const polys = f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates;
        for (const res of [5, 6, 7, 8]) polys.forEach((poly, pi) => entries.push({ kind: 0, feature: fi, part: pi, res, poly }));
    });
    // Random star-shaped polygons straddling the antimeridian (GeoJSON lng/lat, longitudes wrapped to [-180, 180]).
    let generated = 0, failed = 0;
    while (generated < 60) {
        const cLat = (2 * rand() - 1) * 70, cLng = 180 + (2 * rand() - 1) * 3;
        const radius = 0.5 + rand() * 4, n = 5 + randInt(10);
        const ring = [];
        for (let i = 0; i < n; i++) {
            const a = (2 * Math.PI * i) / n, r = radius * (0.4 + 0.6 * rand());
            let lng = cLng + (r * Math.cos(a)) / Math.cos(rad(cLat));
            if (lng > 180) lng -= 360;
            ring.push([lng, cLat + r * Math.sin(a)]);
        }
        ring.push(ring[0]);
        const poly = [ring];
        if (rand() < 0.3) { // a hole near the centre
            const hr = radius * 0.2, hole = [];
            for (let i = 0; i < 6; i++) { const a = -(2 * Math.PI * i) / 6; let lng = cLng + (hr * Math.cos(a)) / Math.cos(rad(cLat)); if (lng > 180) lng -= 360; hole.push([lng, cLat + hr * Math.sin(a)]); }
            hole.push(hole[0]); poly.push(hole);
        }
        const res = 3 + randInt(4);
        try { h3.polygonToCells(poly, res, true); } catch { failed++; continue; }
        entries.push({ kind: 1, res, poly });
        generated++;
    }
    console.log(`antimeridian polygons: ${generated} (h3-js rejected ${failed})`);
    w.i32(entries.length);
    let totalCells = 0;
    for (const e of entries) {
        w.u8(e.kind); w.u8(e.res);
        if (e.kind === 0) { w.i32(e.feature); w.i32(e.part); } else {
            w.i32(e.poly.length);
            for (const loop of e.poly) { w.i32(loop.length); for (const [x, y] of loop) { w.f64(x); w.f64(y); } }
        }
        const cells = h3.polygonToCells(e.poly, e.res, true);
        totalCells += cells.length;
        w.cellSet(cells);
        w.cellSet(h3.compactCells(cells));
    }
    console.log(`polygon entries: ${entries.length}, cells: ${totalCells}`);
    w.save('polygons.bin.gz');
}

// ================= 6. measures =================
{
    const w = new Writer();
    for (let r = 0; r <= 15; r++) {
        w.f64(h3.getHexagonAreaAvg(r, 'km2')); w.f64(h3.getHexagonAreaAvg(r, 'm2'));
        w.f64(h3.getHexagonEdgeLengthAvg(r, 'km')); w.f64(h3.getHexagonEdgeLengthAvg(r, 'm'));
        w.f64(h3.getNumCells(r));
    }
    const n = 2000;
    w.i32(n);
    for (let i = 0; i < n; i++) {
        const a = randomPoint().map(deg), b = randomPoint().map(deg);
        if (i % 2) { b[0] = a[0] + (rand() - 0.5) * 0.01; b[1] = a[1] + (rand() - 0.5) * 0.01; }
        w.f64(a[0]); w.f64(a[1]); w.f64(b[0]); w.f64(b[1]);
        w.f64(h3.greatCircleDistance(a, b, 'rads')); w.f64(h3.greatCircleDistance(a, b, 'km')); w.f64(h3.greatCircleDistance(a, b, 'm'));
    }
    w.save('measures.bin.gz');
}

// ================= 7. trigonometry of the JavaScript engine (what h3-js computes with) =================
{
    const w = new Writer();
    const fns = [
        ['sin', Math.sin, -7, 7], ['cos', Math.cos, -7, 7], ['tan', Math.tan, -1.5, 1.5],
        ['asin', Math.asin, -1, 1], ['acos', Math.acos, -1, 1], ['atan', Math.atan, -4, 4],
    ];
    const n = 4000;
    for (const [, f, a, b] of fns) for (let i = 0; i < n; i++) { const x = a + (b - a) * rand(); w.f64(x); w.f64(f(x)); }
    for (let i = 0; i < n; i++) { const y = 2 * rand() - 1, x = 2 * rand() - 1; w.f64(y); w.f64(x); w.f64(Math.atan2(y, x)); }
    w.save('trig.bin.gz');
}

