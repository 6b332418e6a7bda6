namespace Halo.H3.Tests;

/// <summary>Differential tests of areas, distances and per-resolution averages against h3-js 4.5.0.</summary>
public sealed class MeasuresGoldenTests
{
    private static void AssertRelative(double expected, double actual, double tolerance, string what) =>
        Assert.True(Math.Abs(expected - actual) <= tolerance * Math.Abs(expected), $"{what}: expected {expected:R}, got {actual:R}");

    [Fact]
    public void CellAreaMatchesReferenceWithinOnePartPerBillion()
    {
        foreach (var c in ReferenceCells.All)
        {
            AssertRelative(c.AreaRads2, H3.CellAreaRads2(c.Cell), 1e-9, $"cellArea rads2 {c.Cell}");
            AssertRelative(c.AreaKm2, H3.CellAreaKm2(c.Cell), 1e-9, $"cellArea km2 {c.Cell}");
            AssertRelative(c.AreaM2, H3.CellAreaM2(c.Cell), 1e-9, $"cellArea m2 {c.Cell}");
        }
    }

    [Fact]
    public void ResolutionAveragesAndDistancesMatchReference()
    {
        using var g = new GoldenReader("measures.bin.gz");
        for (int r = 0; r <= 15; r++)
        {
            Assert.Equal(g.F64(), H3.GetHexagonAreaAvgKm2(r));
            Assert.Equal(g.F64(), H3.GetHexagonAreaAvgM2(r));
            Assert.Equal(g.F64(), H3.GetHexagonEdgeLengthAvgKm(r));
            Assert.Equal(g.F64(), H3.GetHexagonEdgeLengthAvgM(r));
            Assert.Equal((long)g.F64(), H3.GetNumCells(r));
        }

        int n = g.I32();
        for (int i = 0; i < n; i++)
        {
            var a = LatLng.FromDegrees(g.F64(), g.F64());
            var b = LatLng.FromDegrees(g.F64(), g.F64());
            AssertRelative(g.F64(), H3.GreatCircleDistanceRads(a, b), 1e-12, "rads");
            AssertRelative(g.F64(), H3.GreatCircleDistanceKm(a, b), 1e-12, "km");
            AssertRelative(g.F64(), H3.GreatCircleDistanceM(a, b), 1e-12, "m");
        }
    }
}
