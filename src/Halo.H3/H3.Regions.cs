using Halo.H3.Internal;

namespace Halo.H3;

public static partial class H3
{
    /// <summary>
    /// Cells whose centre lies inside a polygon with holes (upstream <c>polygonToCells</c>, the centre-containment
    /// rule h3-js 4.x uses by default). Antimeridian-crossing loops are handled as upstream does.
    /// </summary>
    /// <param name="polygon">The polygon (radians).</param>
    /// <param name="res">Resolution 0–15.</param>
    /// <returns>The cells, in no particular order.</returns>
    public static H3Index[] PolygonToCells(GeoPolygon polygon, int res)
    {
        ArgumentNullException.ThrowIfNull(polygon);
        CheckRes(res);
        return [.. Polyfill.Fill(polygon, res)];
    }

    /// <summary>
    /// Cells whose centre lies inside a GeoJSON polygon: rings of [longitude, latitude] degrees, exterior first,
    /// then holes (h3-js <c>polygonToCells(coordinates, res, true)</c>).
    /// </summary>
    /// <param name="geoJsonRings">The GeoJSON <c>Polygon</c> coordinates.</param>
    /// <param name="res">Resolution 0–15.</param>
    /// <returns>The cells, in no particular order.</returns>
    public static H3Index[] PolygonToCells(IReadOnlyList<IReadOnlyList<double[]>> geoJsonRings, int res) =>
        PolygonToCells(GeoPolygon.FromGeoJson(geoJsonRings), res);

    /// <summary>
    /// Replaces complete sets of siblings by their parent, recursively (upstream <c>compactCells</c>).
    /// All input cells must share one resolution.
    /// </summary>
    /// <param name="cells">Cells of one resolution, without duplicates.</param>
    /// <returns>The compacted set, in no particular order.</returns>
    /// <exception cref="H3Exception">Duplicate input or mixed resolutions.</exception>
    public static H3Index[] CompactCells(IReadOnlyCollection<H3Index> cells)
    {
        ArgumentNullException.ThrowIfNull(cells);
        if (cells.Count == 0) return [];
        var output = new List<H3Index>(cells.Count);
        var remaining = new List<ulong>(cells.Count);
        int res = -1;
        foreach (H3Index c in cells)
        {
            if (res < 0) res = c.Resolution;
            else if (c.Resolution != res) throw new H3Exception(H3Error.ResolutionMismatch, "All cells must have the same resolution.");
            remaining.Add(c.Value);
        }

        var counts = new Dictionary<ulong, int>();
        while (remaining.Count > 0 && res > 0)
        {
            counts.Clear();
            foreach (ulong h in remaining)
            {
                ulong parent = ParentUnchecked(h, res - 1);
                counts.TryGetValue(parent, out int n);
                int limit = IndexOps.IsPentagon(parent) ? 6 : 7;
                if (n + 1 > limit) throw new H3Exception(H3Error.DuplicateInput, "Duplicate cells in input.");
                counts[parent] = n + 1;
            }

            var parents = new List<ulong>();
            foreach (ulong h in remaining)
            {
                ulong parent = ParentUnchecked(h, res - 1);
                int full = IndexOps.IsPentagon(parent) ? 6 : 7;
                int n = counts[parent];
                if (n == full)
                {
                    counts[parent] = -1; // emit each compacted parent once
                    parents.Add(parent);
                }
                else if (n >= 0)
                {
                    output.Add(new H3Index(h));
                }
            }

            remaining = parents;
            res--;
        }

        foreach (ulong h in remaining) output.Add(new H3Index(h));
        return [.. output];
    }

    /// <summary>Expands compacted cells to one resolution (upstream <c>uncompactCells</c>).</summary>
    /// <param name="cells">Cells, each no finer than <paramref name="res"/>.</param>
    /// <param name="res">Target resolution.</param>
    /// <returns>The cells at <paramref name="res"/>.</returns>
    /// <exception cref="H3Exception">A cell is finer than the target resolution.</exception>
    public static H3Index[] UncompactCells(IReadOnlyCollection<H3Index> cells, int res)
    {
        ArgumentNullException.ThrowIfNull(cells);
        CheckRes(res);
        long total = 0;
        foreach (H3Index c in cells)
        {
            if (c == H3Index.Null) continue;
            if (c.Resolution > res) throw new H3Exception(H3Error.ResolutionMismatch, $"{c} is finer than resolution {res}.");
            total += CellToChildrenSize(c, res);
        }
        if (total > Array.MaxLength) throw new ArgumentOutOfRangeException(nameof(res), "Too many cells for an array.");
        var result = new H3Index[total];
        int offset = 0;
        foreach (H3Index c in cells)
        {
            if (c == H3Index.Null) continue;
            offset += WriteChildren(c.Value, res, result.AsSpan(offset));
        }
        return result;
    }
}
