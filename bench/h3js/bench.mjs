// h3-js 4.5.0 baseline: the same 1,024 res-9 inputs as bench/Halo.H3.Bench/CoreBenchmarks.cs.
// Reports the median ns/op over several timed rounds after warm-up.
import * as h3 from 'h3-js';

const N = 1024, RES = 9;
const frac = (x) => x - Math.floor(x);
const points = [], cells = [];
for (let i = 0; i < N; i++) {
    const lat = -60 + 120 * frac(i * 0.6180339887498949);
    const lng = -180 + 360 * frac(i * 0.4142135623730950);
    points.push([lat, lng]);
    cells.push(h3.latLngToCell(lat, lng, RES));
}

// a 12-gon of radius ~0.1° around central Stockholm, as in CoreBenchmarks.cs
const ring = [];
for (let i = 0; i <= 12; i++) { const a = (2 * Math.PI * (i % 12)) / 12; ring.push([18.07 + 0.2 * Math.cos(a), 59.33 + 0.1 * Math.sin(a)]); }

let sink = 0;
const cases = {
    LatLngToCell: () => { for (const [lat, lng] of points) sink ^= h3.latLngToCell(lat, lng, RES).length; },
    CellToLatLng: () => { for (const c of cells) sink += h3.cellToLatLng(c)[0]; },
    CellToBoundary: () => { for (const c of cells) sink += h3.cellToBoundary(c).length; },
    GridDisk1: () => { for (const c of cells) sink += h3.gridDisk(c, 1).length; },
};
// per call rather than per point
const perCall = { PolygonToCellsStockholmRes9: () => { sink += h3.polygonToCells([ring], RES, true).length; } };

const rounds = Number(process.env.ROUNDS ?? 15);
const results = {};
const all = [...Object.entries(cases).map(([n, f]) => [n, f, N]), ...Object.entries(perCall).map(([n, f]) => [n, f, 1])];
for (const [name, fn, opsPerCall] of all) {
    for (let i = 0; i < 50; i++) fn(); // warm-up (JIT)
    const perOp = [];
    for (let r = 0; r < rounds; r++) {
        let reps = 0;
        const start = process.hrtime.bigint();
        let elapsed = 0n;
        do { fn(); reps++; elapsed = process.hrtime.bigint() - start; } while (elapsed < 100_000_000n); // ≥ 100 ms per round
        perOp.push(Number(elapsed) / (reps * opsPerCall));
    }
    perOp.sort((a, b) => a - b);
    results[name] = { medianNs: perOp[Math.floor(perOp.length / 2)], minNs: perOp[0] };
}

console.log(`h3-js ${JSON.parse((await import('node:fs')).readFileSync(new URL('./node_modules/h3-js/package.json', import.meta.url))).version}, node ${process.version}, ${rounds} rounds`);
console.log('| Method | h3-js median (ns/op) | h3-js min (ns/op) |');
console.log('|---|---:|---:|');
for (const [name, r] of Object.entries(results)) console.log(`| ${name} | ${r.medianNs.toFixed(1)} | ${r.minNs.toFixed(1)} |`);
if (sink === 42) console.log('');
