using BenchmarkDotNet.Attributes;

namespace Halo.H3.Bench;

/// <summary>
/// The four operations with speed targets, each over the same 1,024 points (res 9) as bench/h3js/bench.mjs,
/// reported per operation (OperationsPerInvoke). Min and median are shown because the 2-core machine is shared.
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class CoreBenchmarks
{
    private const int N = 1024;
    private const int Res = 9;
    private readonly LatLng[] _points = new LatLng[N];
    private readonly H3Index[] _cells = new H3Index[N];
    private readonly LatLng[] _boundary = new LatLng[H3.MaxCellBoundaryVertices];
    private readonly H3Index[] _disk = new H3Index[7];
    private GeoPolygon _polygon = null!;

    [GlobalSetup]
    public void Setup()
    {
        for (int i = 0; i < N; i++)
        {
            // same deterministic spread as bench.mjs: latitudes within ±60°, all longitudes
            double lat = -60 + 120 * Frac(i * 0.6180339887498949);
            double lng = -180 + 360 * Frac(i * 0.4142135623730950);
            _points[i] = LatLng.FromDegrees(lat, lng);
            _cells[i] = H3.LatLngToCell(_points[i], Res);
        }

        // a 12-gon of radius ~0.1° around central Stockholm, as in bench.mjs
        var ring = new List<double[]>();
        for (int i = 0; i <= 12; i++)
        {
            double a = 2 * Math.PI * (i % 12) / 12;
            ring.Add([18.07 + 0.2 * Math.Cos(a), 59.33 + 0.1 * Math.Sin(a)]);
        }
        _polygon = GeoPolygon.FromGeoJson([ring]);
    }

    private static double Frac(double x) => x - Math.Floor(x);

    [Benchmark(OperationsPerInvoke = N)]
    public ulong LatLngToCell()
    {
        ulong acc = 0;
        foreach (LatLng p in _points) acc ^= H3.LatLngToCell(p, Res).Value;
        return acc;
    }

    [Benchmark(OperationsPerInvoke = N)]
    public double CellToLatLng()
    {
        double acc = 0;
        foreach (H3Index c in _cells) acc += H3.CellToLatLng(c).Lat;
        return acc;
    }

    [Benchmark(OperationsPerInvoke = N)]
    public int CellToBoundary()
    {
        int acc = 0;
        foreach (H3Index c in _cells) acc += H3.CellToBoundary(c, _boundary);
        return acc;
    }

    [Benchmark(OperationsPerInvoke = N)]
    public int GridDisk1()
    {
        int acc = 0;
        foreach (H3Index c in _cells) acc += H3.GridDisk(c, 1, _disk);
        return acc;
    }

    /// <summary>One polygonToCells call (~1,200 res 9 cells), not per point.</summary>
    [Benchmark]
    public int PolygonToCellsStockholmRes9() => H3.PolygonToCells(_polygon, Res).Length;
}
