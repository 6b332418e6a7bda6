namespace Halo.H3.Tests;

/// <summary>Differential tests of indexing against h3-js 4.5.0 golden vectors.</summary>
public sealed class IndexingGoldenTests
{
    private const double AngleTolerance = 1e-9;

    [Fact]
    public void LatLngToCellMatchesReferenceForRandomPoints()
    {
        using var g = new GoldenReader("points.bin.gz");
        int n = g.I32();
        Assert.True(n >= 200_000, "at least 200,000 reference points");
        var perRes = new int[16];
        var failures = new List<string>();
        for (int i = 0; i < n; i++)
        {
            var p = new LatLng(g.F64(), g.F64());
            int res = g.U8();
            H3Index expected = g.Cell();
            H3Index actual = H3.LatLngToCell(p, res);
            perRes[res]++;
            if (actual != expected && failures.Count < 2000) failures.Add($"{p} res {res}: expected {expected}, got {actual}");
        }

        Assert.All(perRes, count => Assert.True(count > 10_000));
        Assert.True(failures.Count == 0, $"{failures.Count} mismatches:\n" + string.Join("\n", failures.Take(15)));
    }

    [Fact]
    public void CellToLatLngMatchesReference()
    {
        foreach (var c in ReferenceCells.All)
        {
            LatLng actual = H3.CellToLatLng(c.Cell);
            AssertClose(c.Center, actual, c.Cell.ToString());
        }
    }

    [Fact]
    public void CellToBoundaryMatchesReferenceIncludingPentagonsAndDistortedCells()
    {
        Span<LatLng> buffer = stackalloc LatLng[H3.MaxCellBoundaryVertices];
        int pentagons = 0, distorted = 0;
        foreach (var c in ReferenceCells.All)
        {
            int n = H3.CellToBoundary(c.Cell, buffer);
            Assert.True(n == c.Boundary.Length, $"{c.Cell}: expected {c.Boundary.Length} vertices, got {n}");
            for (int i = 0; i < n; i++) AssertClose(c.Boundary[i], buffer[i], $"{c.Cell} vertex {i}");
            if (c.Cell.IsPentagon) pentagons++;
            else if (n > 6) distorted++;
        }

        Assert.Equal(16 * 12, pentagons);
        Assert.True(distorted > 1000, $"only {distorted} distorted hexagons checked");
    }

    [Fact]
    public void CellToBoundaryArrayOverloadMatchesSpanOverload()
    {
        foreach (var c in ReferenceCells.All.Take(500))
        {
            Assert.Equal(c.Boundary.Length, H3.CellToBoundary(c.Cell).Length);
        }
    }

    internal static void AssertClose(LatLng expected, LatLng actual, string what)
    {
        double dLng = Math.Abs(expected.Lng - actual.Lng);
        if (dLng > Math.PI) dLng = Math.Abs(dLng - 2 * Math.PI); // ±π are the same meridian
        // At the poles longitude is arbitrary.
        bool atPole = Math.Abs(Math.Abs(expected.Lat) - Math.PI / 2) < AngleTolerance;
        Assert.True(Math.Abs(expected.Lat - actual.Lat) <= AngleTolerance && (atPole || dLng <= AngleTolerance),
            $"{what}: expected {expected}, got {actual}");
    }
}

/// <summary>Reference cells (centre, boundary, area) loaded once from cells.bin.gz.</summary>
internal static class ReferenceCells
{
    internal sealed record Entry(H3Index Cell, LatLng Center, LatLng[] Boundary, double AreaRads2, double AreaKm2, double AreaM2);

    private static readonly Lazy<Entry[]> Lazy = new(Load);

    public static Entry[] All => Lazy.Value;

    private static Entry[] Load()
    {
        using var g = new GoldenReader("cells.bin.gz");
        int n = g.I32();
        var result = new Entry[n];
        for (int i = 0; i < n; i++)
        {
            H3Index cell = g.Cell();
            var center = new LatLng(g.F64(), g.F64());
            var boundary = new LatLng[g.U8()];
            for (int v = 0; v < boundary.Length; v++) boundary[v] = new LatLng(g.F64(), g.F64());
            result[i] = new Entry(cell, center, boundary, g.F64(), g.F64(), g.F64());
        }
        return result;
    }
}
