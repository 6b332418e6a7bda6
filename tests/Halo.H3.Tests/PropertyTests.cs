namespace Halo.H3.Tests;

/// <summary>Invariants that must hold for any cell, checked on seeded random samples across all resolutions.</summary>
public sealed class PropertyTests
{
    private static IEnumerable<H3Index> RandomCells(int seed, int count, int minRes = 0, int maxRes = 15)
    {
        var rng = new Random(seed);
        for (int i = 0; i < count; i++)
        {
            // uniform on the sphere
            double lat = Math.Asin(2 * rng.NextDouble() - 1);
            double lng = (2 * rng.NextDouble() - 1) * Math.PI;
            yield return H3.LatLngToCell(new LatLng(lat, lng), minRes + (i % (maxRes - minRes + 1)));
        }
    }

    private static IEnumerable<H3Index> AllPentagons(int maxRes = 15) => Enumerable.Range(0, maxRes + 1).SelectMany(H3.GetPentagons);

    [Fact]
    public void ChildrenRoundTripToTheirParent()
    {
        foreach (H3Index cell in RandomCells(1, 600, 0, 13).Concat(AllPentagons(13)))
        {
            int res = cell.Resolution;
            for (int childRes = res; childRes <= res + 2; childRes++)
            {
                H3Index[] children = H3.CellToChildren(cell, childRes);
                Assert.Equal(H3.CellToChildrenSize(cell, childRes), children.Length);
                Assert.Equal(children.Length, children.Distinct().Count());
                Assert.All(children, c => Assert.True(c.IsValidCell && H3.CellToParent(c, res) == cell));
                Assert.Equal(cell, H3.CellToParent(H3.CellToCenterChild(cell, childRes), res));
                Assert.Contains(H3.CellToCenterChild(cell, childRes), children);
            }
        }
    }

    [Fact]
    public void CellCentreMapsBackToTheCell()
    {
        foreach (H3Index cell in RandomCells(2, 5000).Concat(AllPentagons()))
        {
            Assert.Equal(cell, H3.LatLngToCell(H3.CellToLatLng(cell), cell.Resolution));
        }
    }

    [Fact]
    public void GridDistanceIsSymmetricAndEqualsRingIndex()
    {
        int pairs = 0;
        foreach (H3Index origin in RandomCells(3, 400, 2, 15))
        {
            const int k = 4;
            H3Index[][] rings = H3.GridDiskDistances(origin, k);
            if (rings.SelectMany(r => r).Any(c => c.IsPentagon)) continue; // unfolding around pentagons may fail, as upstream
            for (int d = 0; d <= k; d++)
            {
                Assert.Equal(d == 0 ? 1 : 6 * d, rings[d].Length);
                foreach (H3Index c in rings[d])
                {
                    Assert.True(H3.TryGridDistance(origin, c, out long ab) && ab == d, $"gridDistance({origin}, {c})");
                    Assert.True(H3.TryGridDistance(c, origin, out long ba) && ba == d, $"gridDistance({c}, {origin})");
                    pairs++;
                }
                H3Index[] ring = H3.GridRing(origin, d);
                Assert.Equal(rings[d].Order(), ring.Order());
            }
        }
        Assert.True(pairs > 10_000);
    }

    [Fact]
    public void NeighboursAreExactlyTheFirstRing()
    {
        foreach (H3Index origin in RandomCells(4, 500).Concat(AllPentagons()))
        {
            H3Index[] ring = H3.GridRing(origin, 1);
            Assert.Equal(origin.IsPentagon ? 5 : 6, ring.Length);
            Assert.All(ring, n => Assert.True(H3.AreNeighborCells(origin, n) && H3.AreNeighborCells(n, origin)));
            Assert.False(H3.AreNeighborCells(origin, origin));
            Assert.All(H3.GridRing(origin, 2), n => Assert.False(H3.AreNeighborCells(origin, n)));
        }
    }

    [Fact]
    public void EveryBoundaryVertexIsSharedWithItsNeighbours()
    {
        const double tolerance = 1e-12; // radians; shared vertices are computed from different cells
        Span<LatLng> own = stackalloc LatLng[H3.MaxCellBoundaryVertices];
        Span<LatLng> other = stackalloc LatLng[H3.MaxCellBoundaryVertices];
        int distorted = 0;
        foreach (H3Index cell in RandomCells(5, 3000).Concat(AllPentagons()))
        {
            int n = H3.CellToBoundary(cell, own);
            if (n > 6) distorted++;
            H3Index[] neighbours = H3.GridRing(cell, 1);
            for (int v = 0; v < n; v++)
            {
                int sharing = 0;
                foreach (H3Index nb in neighbours)
                {
                    int m = H3.CellToBoundary(nb, other);
                    for (int w = 0; w < m; w++)
                    {
                        if (H3.GreatCircleDistanceRads(own[v], other[w]) < tolerance)
                        {
                            sharing++;
                            break;
                        }
                    }
                }
                // A corner touches two neighbours; an extra vertex where an edge crosses an icosahedron edge touches one.
                Assert.True(sharing >= 1, $"{cell} vertex {v} {own[v]} is not on any neighbour's boundary");
            }
        }
        Assert.True(distorted > 0);
    }

    [Fact]
    public void CompactThenUncompactRoundTrips()
    {
        var rng = new Random(6);
        foreach (H3Index parent in RandomCells(7, 200, 0, 10).Concat(AllPentagons(8)))
        {
            int res = Math.Min(parent.Resolution + 2, 15);
            // all children of the parent plus a few stray neighbours' children, minus some
            var set = new HashSet<H3Index>(H3.CellToChildren(parent, res));
            foreach (H3Index nb in H3.GridRing(parent, 1).Take(2)) set.UnionWith(H3.CellToChildren(nb, res).Take(3 + rng.Next(10)));
            H3Index[] cells = [.. set];
            H3Index[] compacted = H3.CompactCells(cells);
            Assert.Contains(parent, compacted);
            Assert.True(compacted.Length < cells.Length);
            Assert.Equal(cells.Order(), H3.UncompactCells(compacted, res).Order());
        }
    }

    [Fact]
    public void AreasOfAllCellsSumToTheSphere()
    {
        // Exact cell areas tile the sphere: resolution 0 and 1 sums equal 4π steradians.
        for (int res = 0; res <= 1; res++)
        {
            double sum = H3.GetRes0Cells().SelectMany(c => H3.CellToChildren(c, res)).Sum(H3.CellAreaRads2);
            Assert.Equal(4 * Math.PI, sum, 1e-9);
        }
    }

    [Fact]
    public void LongitudesOutsideTheUsualRangeWrapAround()
    {
        var rng = new Random(8);
        for (int i = 0; i < 2000; i++)
        {
            double lat = rng.NextDouble() * 170 - 85, lng = rng.NextDouble() * 360 - 180;
            H3Index expected = H3.LatLngToCell(lat, lng, 5);
            Assert.Equal(expected, H3.LatLngToCell(lat, lng + 360, 5));
            Assert.Equal(expected, H3.LatLngToCell(lat, lng - 720, 5));
        }
        Assert.True(H3.LatLngToCell(new LatLng(0.3, 1e9), 7).IsValidCell); // absurd but finite input still gives a cell
    }
}
