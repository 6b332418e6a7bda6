namespace Halo.H3.Tests;

/// <summary>Differential tests of grid traversal against h3-js 4.5.0, including pentagons and their neighbours.</summary>
public sealed class TraversalGoldenTests
{
    private sealed record Member(H3Index Cell, int Distance, int GridDistance, bool Neighbor);

    private sealed record Origin(H3Index Cell, int K, Member[] Members, H3Index[]? Ring);

    private static readonly Lazy<(Origin[] Origins, (H3Index A, H3Index B, int D)[] Pairs)> Data = new(() =>
    {
        using var g = new GoldenReader("traversal.bin.gz");
        var origins = new Origin[g.I32()];
        for (int i = 0; i < origins.Length; i++)
        {
            H3Index o = g.Cell();
            int k = g.U8();
            var members = new Member[g.I32()];
            for (int m = 0; m < members.Length; m++) members[m] = new Member(g.Cell(), g.U8(), g.I32(), g.U8() == 1);
            origins[i] = new Origin(o, k, members, g.CellSet());
        }
        var pairs = new (H3Index, H3Index, int)[g.I32()];
        for (int i = 0; i < pairs.Length; i++) pairs[i] = (g.Cell(), g.Cell(), g.I32());
        return (origins, pairs);
    });

    [Fact]
    public void GridDiskMatchesReferenceSetsIncludingPentagons()
    {
        int pentagonOrigins = 0;
        foreach (Origin o in Data.Value.Origins)
        {
            H3Index[] expected = [.. o.Members.Select(m => m.Cell)];
            H3Index[] actual = H3.GridDisk(o.Cell, o.K);
            Array.Sort(actual);
            Assert.True(expected.SequenceEqual(actual), $"gridDisk({o.Cell}, {o.K})");
            if (o.Cell.IsPentagon) pentagonOrigins++;
        }
        Assert.True(pentagonOrigins >= 16 * 12, "every pentagon at every resolution is an origin");
    }

    [Fact]
    public void GridDiskDistancesMatchesReference()
    {
        foreach (Origin o in Data.Value.Origins)
        {
            H3Index[][] rings = H3.GridDiskDistances(o.Cell, o.K);
            var actual = new Dictionary<H3Index, int>();
            for (int d = 0; d < rings.Length; d++)
            {
                foreach (H3Index c in rings[d]) actual.Add(c, d);
            }
            Assert.Equal(o.Members.Length, actual.Count);
            foreach (Member m in o.Members) Assert.True(actual.TryGetValue(m.Cell, out int d) && d == m.Distance, $"{o.Cell} → {m.Cell}");
        }
    }

    [Fact]
    public void GridRingMatchesReference()
    {
        foreach (Origin o in Data.Value.Origins.Where(o => o.Ring is not null))
        {
            H3Index[] actual = H3.GridRing(o.Cell, o.K);
            Array.Sort(actual);
            Assert.True(o.Ring!.SequenceEqual(actual), $"gridRing({o.Cell}, {o.K})");
        }
    }

    [Fact]
    public void GridDistanceMatchesReferenceWhereReferenceSucceeds()
    {
        int checkedCount = 0;
        foreach (Origin o in Data.Value.Origins)
        {
            foreach (Member m in o.Members.Where(m => m.GridDistance >= 0))
            {
                Assert.True(H3.TryGridDistance(o.Cell, m.Cell, out long d) && d == m.GridDistance, $"gridDistance({o.Cell}, {m.Cell})");
                checkedCount++;
            }
        }
        foreach (var (a, b, expected) in Data.Value.Pairs.Where(p => p.D >= 0))
        {
            Assert.True(H3.TryGridDistance(a, b, out long d) && d == expected, $"gridDistance({a}, {b}) expected {expected}, got {d}");
            checkedCount++;
        }
        Assert.True(checkedCount > 50_000);
    }

    [Fact]
    public void AreNeighborCellsMatchesReference()
    {
        foreach (Origin o in Data.Value.Origins)
        {
            foreach (Member m in o.Members) Assert.True(m.Neighbor == H3.AreNeighborCells(o.Cell, m.Cell), $"areNeighborCells({o.Cell}, {m.Cell})");
        }
    }

    [Fact]
    public void SpanGridDiskIsAllocationFreeForSmallK()
    {
        H3Index origin = H3.LatLngToCell(59.3293, 18.0686, 9);
        Span<H3Index> buffer = stackalloc H3Index[H3.MaxGridDiskSize(1)];
        H3.GridDisk(origin, 1, buffer); // warm up
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++) H3.GridDisk(origin, 1, buffer);
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }
}
