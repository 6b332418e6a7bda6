using System.Text.Json;

namespace Halo.H3.Tests;

/// <summary>Differential tests of polygonToCells and compaction against h3-js 4.5.0.</summary>
public sealed class RegionsGoldenTests
{
    private sealed record Entry(int Kind, int Res, int Feature, int Part, double[][][]? Rings, H3Index[] Cells, H3Index[] Compacted);

    private static readonly Lazy<Entry[]> Entries = new(() =>
    {
        using var g = new GoldenReader("polygons.bin.gz");
        var entries = new Entry[g.I32()];
        for (int i = 0; i < entries.Length; i++)
        {
            int kind = g.U8(), res = g.U8(), feature = -1, part = -1;
            double[][][]? rings = null;
            if (kind == 0)
            {
                feature = g.I32();
                part = g.I32();
            }
            else
            {
                rings = new double[g.I32()][][];
                for (int r = 0; r < rings.Length; r++)
                {
                    rings[r] = new double[g.I32()][];
                    for (int v = 0; v < rings[r].Length; v++) rings[r][v] = [g.F64(), g.F64()];
                }
            }
            entries[i] = new Entry(kind, res, feature, part, rings, g.CellSet()!, g.CellSet()!);
        }
        return entries;
    });

    /// <summary>Polygon parts of each municipality feature, as GeoJSON rings ([lng, lat] degrees).</summary>
    private static readonly Lazy<double[][][][][]> Municipalities = new(() =>
    {
        string? shared = SharedData.FindSharedData();
        Assert.True(shared is not null, "shared/data not found above the test binaries (expected <repo>/../shared/data)");
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(shared, "sweden", "swedish_municipalities.geojson")));
        static double[][][] Polygon(JsonElement rings) =>
            [.. rings.EnumerateArray().Select(ring => ring.EnumerateArray().Select(p => new[] { p[0].GetDouble(), p[1].GetDouble() }).ToArray())];
        return
        [
            .. doc.RootElement.GetProperty("features").EnumerateArray().Select(f =>
            {
                JsonElement geometry = f.GetProperty("geometry");
                JsonElement coords = geometry.GetProperty("coordinates");
                return geometry.GetProperty("type").GetString() == "Polygon"
                    ? new[] { Polygon(coords) }
                    : coords.EnumerateArray().Select(Polygon).ToArray();
            }),
        ];
    });

    private static void AssertSameSet(H3Index[] expected, H3Index[] actual, string what)
    {
        Array.Sort(actual);
        if (expected.SequenceEqual(actual)) return;
        var missing = expected.Except(actual).Take(5);
        var extra = actual.Except(expected).Take(5);
        Assert.Fail($"{what}: expected {expected.Length} cells, got {actual.Length}; missing [{string.Join(", ", missing)}], extra [{string.Join(", ", extra)}]");
    }

    [Fact]
    public void PolygonToCellsMatchesReferenceForSwedishMunicipalities()
    {
        double[][][][][] features = Municipalities.Value;
        var resolutions = new HashSet<int>();
        int withHoles = 0, multiParts = 0;
        foreach (Entry e in Entries.Value.Where(e => e.Kind == 0))
        {
            double[][][] rings = features[e.Feature][e.Part];
            H3Index[] actual = H3.PolygonToCells(rings, e.Res);
            AssertSameSet(e.Cells, actual, $"municipality {e.Feature} part {e.Part} res {e.Res}");
            resolutions.Add(e.Res);
            if (rings.Length > 1) withHoles++;
            if (features[e.Feature].Length > 1) multiParts++;
        }
        Assert.Equal([5, 6, 7, 8], resolutions.Order());
        Assert.True(withHoles > 0 && multiParts > 0);
    }

    [Fact]
    public void PolygonToCellsMatchesReferenceForAntimeridianPolygons()
    {
        int crossing = 0;
        foreach (Entry e in Entries.Value.Where(e => e.Kind == 1))
        {
            H3Index[] actual = H3.PolygonToCells(e.Rings!, e.Res);
            AssertSameSet(e.Cells, actual, $"antimeridian polygon res {e.Res}");
            if (e.Rings![0].Any(p => p[0] > 0) && e.Rings[0].Any(p => p[0] < 0)) crossing++;
        }
        Assert.True(crossing >= 40, $"only {crossing} polygons cross the antimeridian");
    }

    [Fact]
    public void CompactCellsMatchesReferenceAndUncompactRoundTrips()
    {
        foreach (Entry e in Entries.Value.Where(e => e.Cells.Length > 0))
        {
            H3Index[] compacted = H3.CompactCells(e.Cells);
            AssertSameSet(e.Compacted, compacted, $"compactCells res {e.Res}");
            AssertSameSet(e.Cells, H3.UncompactCells(compacted, e.Res), $"uncompactCells res {e.Res}");
        }
    }

    [Fact]
    public void CompactCellsRejectsDuplicates()
    {
        H3Index[] children = H3.CellToChildren(H3.LatLngToCell(59.3, 18.0, 6), 7);
        Assert.Throws<H3Exception>(() => H3.CompactCells([.. children, children[0]]));
    }
}
