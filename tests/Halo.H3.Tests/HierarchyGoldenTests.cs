namespace Halo.H3.Tests;

/// <summary>Differential tests of inspection and hierarchy against h3-js 4.5.0.</summary>
public sealed class HierarchyGoldenTests
{
    [Fact]
    public void ParentsChildrenAndInspectionMatchReference()
    {
        using var g = new GoldenReader("hierarchy.bin.gz");
        int n = g.I32();
        for (int i = 0; i < n; i++)
        {
            H3Index cell = g.Cell();
            int res = g.U8();
            Assert.Equal(res, H3.GetResolution(cell));
            for (int p = 0; p < res; p++) Assert.Equal(g.Cell(), H3.CellToParent(cell, p));
            for (int r = res; r <= 15; r++) Assert.Equal(g.Cell(), H3.CellToCenterChild(cell, r));

            for (int level = 1; level <= 2; level++)
            {
                var expected = new H3Index[g.I32()];
                for (int k = 0; k < expected.Length; k++) expected[k] = g.Cell();
                Assert.Equal(expected, H3.CellToChildren(cell, res + level));
                Assert.Equal(expected.Length, H3.CellToChildrenSize(cell, res + level));
            }

            Assert.Equal(g.U8() == 1, H3.IsPentagon(cell));
            Assert.Equal(g.U8(), H3.GetBaseCellNumber(cell));
            Assert.True(H3.IsValidCell(cell));
        }

        int probes = g.I32();
        for (int i = 0; i < probes; i++)
        {
            H3Index h = g.Cell();
            Assert.True((g.U8() == 1) == H3.IsValidCell(h), $"isValidCell({h})");
        }
    }

    [Fact]
    public void FormattingRoundTripsFifteenHexDigits()
    {
        H3Index h = H3.LatLngToCell(37.3615593, -122.0553238, 9);
        Assert.Equal("89283470d93ffff", h.ToString());
        Assert.Equal(h, H3Index.Parse("89283470d93ffff"));
        Assert.Equal(h, H3Index.Parse("0x89283470D93FFFF"));
        Assert.False(H3Index.TryParse("not hex", out _));
        Assert.Throws<FormatException>(() => H3Index.Parse(""));
    }

    [Fact]
    public void ResolutionsOutsideRangeAreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => H3.LatLngToCell(0, 0, 16));
        Assert.Throws<ArgumentOutOfRangeException>(() => H3.LatLngToCell(0, 0, -1));
        H3Index h = H3.LatLngToCell(0, 0, 5);
        Assert.Throws<ArgumentOutOfRangeException>(() => H3.CellToParent(h, 6));
        Assert.Throws<ArgumentOutOfRangeException>(() => H3.CellToChildren(h, 4));
        Assert.Throws<ArgumentException>(() => H3.LatLngToCell(double.NaN, 0, 5));
    }

    [Fact]
    public void EveryBaseCellAndPentagonIsValid()
    {
        H3Index[] res0 = H3.GetRes0Cells();
        Assert.Equal(122, res0.Length);
        Assert.All(res0, c => Assert.True(c.IsValidCell));
        for (int r = 0; r <= 15; r++)
        {
            H3Index[] pents = H3.GetPentagons(r);
            Assert.Equal(12, pents.Length);
            Assert.All(pents, p => Assert.True(p.IsPentagon && p.IsValidCell && p.Resolution == r));
        }
    }
}
