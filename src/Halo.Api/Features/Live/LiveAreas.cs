

namespace Halo.Api.Features.Live;

/// <summary>Boxes to H3 area groups, and a point's groups (resolutions 5–7).</summary>
public static class LiveAreas
{
    public const int FinestResolution = 7;
    public const int CoarsestResolution = 5;

    public static string Group(ulong cell) => "cell:" + cell.ToString("x");

    /// <summary>The groups a point is published to: its cell at each of resolutions 5, 6 and 7.</summary>
    public static string[] GroupsOf(double latitude, double longitude)
    {
        var groups = new string[FinestResolution - CoarsestResolution + 1];
        for (var r = CoarsestResolution; r <= FinestResolution; r++)
            groups[r - CoarsestResolution] = Group(Halo.H3.H3.LatLngToCell(latitude, longitude, r).Value);
        return groups;
    }

    /// <summary>
    /// The cells covering the box at the finest resolution (7 → 5) with at most <paramref name="maxCells"/> cells, or
    /// null when even resolution 5 needs more. A cell touching the box counts: the box is widened by one cell radius
    /// before the centres are taken, so an event just inside the box edge is never missed.
    /// </summary>
    public static (int Resolution, ulong[] Cells)? Cover(LiveArea a, int maxCells)
    {
        for (var r = FinestResolution; r >= CoarsestResolution; r--)
        {
            // Estimate first: a box far too large at this resolution is not filled just to be counted.
            var (minLat, minLon, maxLat, maxLon) = Widen(a, r);
            var heightKm = (maxLat - minLat) * 111.32;
            var widthKm = (maxLon - minLon) * 111.32 * Math.Cos(Math.Clamp(Math.Max(Math.Abs(minLat), Math.Abs(maxLat)), 0, 89) * Math.PI / 180);
            if (heightKm * widthKm / Halo.H3.H3.GetHexagonAreaAvgKm2(r) > maxCells * 4) continue;
            var ring = new List<double[]> { new[] { minLon, minLat }, new[] { maxLon, minLat }, new[] { maxLon, maxLat }, new[] { minLon, maxLat }, new[] { minLon, minLat } };
            var cells = Halo.H3.H3.PolygonToCells(new List<IReadOnlyList<double[]>> { ring }, r).Select(c => c.Value).Distinct().ToArray();
            // A box smaller than a cell may hold no centre: its corners' cells cover it.
            if (cells.Length == 0)
                cells = new[] { (a.MinLat, a.MinLon), (a.MinLat, a.MaxLon), (a.MaxLat, a.MinLon), (a.MaxLat, a.MaxLon) }
                    .Select(p => Halo.H3.H3.LatLngToCell(p.Item1, p.Item2, r).Value).Distinct().ToArray();
            if (cells.Length <= maxCells) return (r, cells);
        }
        return null;
    }

    /// <summary>
    /// <see cref="Cover"/> of the box, or of its middle: halved about the centre each way until it fits (the box
    /// returned is <paramref name="a"/> itself when that fits). Null only when the limit is below what a box smaller
    /// than a cell needs (the cells touching it: a few), which 30 halvings of the whole globe reach.
    /// </summary>
    public static (LiveArea Watched, (int Resolution, ulong[] Cells) Cover)? CoverOrMiddle(LiveArea a, int maxCells)
    {
        var box = a;
        for (var i = 0; i <= 30; i++)
        {
            if (Cover(box, maxCells) is { } cover) return (box, cover);
            double lat = (box.MinLat + box.MaxLat) / 2, lon = (box.MinLon + box.MaxLon) / 2;
            double h = (box.MaxLat - box.MinLat) / 4, w = (box.MaxLon - box.MinLon) / 4;
            box = new LiveArea(lat - h, lon - w, lat + h, lon + w);
        }
        return null;
    }

    private static (double, double, double, double) Widen(LiveArea a, int resolution)
    {
        // A hexagon's circumradius equals its edge; the largest cells of a resolution are ~1.3 × the average.
        var km = Halo.H3.H3.GetHexagonEdgeLengthAvgKm(resolution) * 1.3;
        var dLat = km / 111.32;
        var dLon = km / (111.32 * Math.Max(0.01, Math.Cos(Math.Clamp(Math.Max(Math.Abs(a.MinLat), Math.Abs(a.MaxLat)), 0, 89) * Math.PI / 180)));
        return (Math.Max(-90, a.MinLat - dLat), Math.Max(-180, a.MinLon - dLon), Math.Min(90, a.MaxLat + dLat), Math.Min(180, a.MaxLon + dLon));
    }
}
