using Halo.H3.Internal;

namespace Halo.H3;

/// <summary>
/// Uber's H3 hexagonal grid in pure C#: the core API of the upstream C library (v4), with .NET naming.
/// Angles are radians unless a member says degrees. Each member's docs name the upstream function.
/// </summary>
public static partial class H3
{
    /// <summary>Maximum number of vertices <see cref="CellToBoundary(H3Index, Span{LatLng})"/> can write (upstream <c>MAX_CELL_BNDRY_VERTS</c>).</summary>
    public const int MaxCellBoundaryVertices = Constants.MaxCellBoundaryVerts;

    /// <summary>Finest resolution (upstream <c>MAX_H3_RES</c>).</summary>
    public const int MaxResolution = Constants.MaxRes;

    /// <summary>Number of resolution 0 (base) cells.</summary>
    public const int BaseCellCount = Constants.NumBaseCells;

    private static void CheckRes(int res)
    {
        if ((uint)res > Constants.MaxRes) throw new ArgumentOutOfRangeException(nameof(res), res, "Resolution must be 0–15.");
    }

    /// <summary>The cell containing a point (upstream <c>latLngToCell</c>). Allocation-free.</summary>
    /// <param name="point">Point in radians.</param>
    /// <param name="res">Resolution 0–15.</param>
    /// <returns>The containing cell.</returns>
    /// <exception cref="ArgumentOutOfRangeException">Resolution outside 0–15.</exception>
    /// <exception cref="ArgumentException">Non-finite coordinates.</exception>
    public static H3Index LatLngToCell(LatLng point, int res)
    {
        CheckRes(res);
        if (!double.IsFinite(point.Lat) || !double.IsFinite(point.Lng)) throw new ArgumentException("Latitude and longitude must be finite.", nameof(point));
        FaceIjk fijk = FaceGeometry.GeoToFaceIjk(point.Lat, point.Lng, res);
        return new H3Index(IndexOps.FaceIjkToH3(fijk, res));
    }

    /// <summary>The cell containing a point given in degrees (upstream <c>latLngToCell</c> after <c>degsToRads</c>).</summary>
    /// <param name="latDegrees">Latitude in degrees.</param>
    /// <param name="lngDegrees">Longitude in degrees.</param>
    /// <param name="res">Resolution 0–15.</param>
    /// <returns>The containing cell.</returns>
    public static H3Index LatLngToCell(double latDegrees, double lngDegrees, int res) =>
        LatLngToCell(LatLng.FromDegrees(latDegrees, lngDegrees), res);

    /// <summary>Centre of a cell in radians (upstream <c>cellToLatLng</c>). Allocation-free.</summary>
    /// <param name="cell">A valid cell.</param>
    /// <returns>The centre point.</returns>
    public static LatLng CellToLatLng(H3Index cell)
    {
        FaceIjk fijk = IndexOps.ToFaceIjk(cell.Value);
        FaceGeometry.FaceIjkToGeo(fijk, IndexOps.GetResolution(cell.Value), out double lat, out double lng);
        return new LatLng(lat, lng);
    }

    /// <summary>
    /// Boundary of a cell, counter-clockwise, in radians (upstream <c>cellToBoundary</c>). Pentagons have 5 vertices
    /// (10 at Class III resolutions); Class III hexagons crossing an icosahedron edge get extra vertices.
    /// Allocation-free.
    /// </summary>
    /// <param name="cell">A valid cell.</param>
    /// <param name="vertices">Destination; at least <see cref="MaxCellBoundaryVertices"/> long is always enough.</param>
    /// <returns>The number of vertices written.</returns>
    public static int CellToBoundary(H3Index cell, Span<LatLng> vertices)
    {
        FaceIjk fijk = IndexOps.ToFaceIjk(cell.Value);
        int res = IndexOps.GetResolution(cell.Value);
        Span<LatLng> tmp = stackalloc LatLng[Constants.MaxCellBoundaryVerts];
        int n = IndexOps.IsPentagon(cell.Value) ? FaceGeometry.PentBoundary(fijk, res, tmp) : FaceGeometry.HexBoundary(fijk, res, tmp);
        if (vertices.Length < n) throw new ArgumentException($"Destination needs room for {n} vertices.", nameof(vertices));
        tmp[..n].CopyTo(vertices);
        return n;
    }

    /// <summary>Boundary of a cell as a new array (upstream <c>cellToBoundary</c>).</summary>
    /// <param name="cell">A valid cell.</param>
    /// <returns>The boundary vertices in radians.</returns>
    public static LatLng[] CellToBoundary(H3Index cell)
    {
        Span<LatLng> tmp = stackalloc LatLng[Constants.MaxCellBoundaryVerts];
        int n = CellToBoundary(cell, tmp);
        return tmp[..n].ToArray();
    }

    /// <summary>Resolution of an index (upstream <c>getResolution</c>).</summary>
    /// <param name="cell">The index.</param>
    /// <returns>0–15.</returns>
    public static int GetResolution(H3Index cell) => cell.Resolution;

    /// <summary>Base cell number of an index (upstream <c>getBaseCellNumber</c>).</summary>
    /// <param name="cell">The index.</param>
    /// <returns>0–121 for valid cells.</returns>
    public static int GetBaseCellNumber(H3Index cell) => cell.BaseCellNumber;

    /// <summary>Whether an index is a valid cell (upstream <c>isValidCell</c>).</summary>
    /// <param name="cell">The index.</param>
    /// <returns>True for valid cells.</returns>
    public static bool IsValidCell(H3Index cell) => cell.IsValidCell;

    /// <summary>Whether a cell is a pentagon (upstream <c>isPentagon</c>).</summary>
    /// <param name="cell">The cell.</param>
    /// <returns>True for pentagons.</returns>
    public static bool IsPentagon(H3Index cell) => cell.IsPentagon;

    /// <summary>Whether a resolution is Class III, i.e. odd (upstream <c>isResClassIII</c>).</summary>
    /// <param name="cell">The cell.</param>
    /// <returns>True for odd resolutions.</returns>
    public static bool IsResClassIII(H3Index cell) => (cell.Resolution & 1) == 1;

    /// <summary>All 122 resolution 0 cells in base cell order (upstream <c>getRes0Cells</c>).</summary>
    /// <returns>The base cells.</returns>
    public static H3Index[] GetRes0Cells()
    {
        var cells = new H3Index[Constants.NumBaseCells];
        for (int bc = 0; bc < cells.Length; bc++) cells[bc] = new H3Index(IndexOps.Make(0, bc, 0));
        return cells;
    }

    /// <summary>The 12 pentagons at a resolution (upstream <c>getPentagons</c>).</summary>
    /// <param name="res">Resolution 0–15.</param>
    /// <returns>The pentagons in base cell order.</returns>
    public static H3Index[] GetPentagons(int res)
    {
        CheckRes(res);
        var result = new H3Index[12];
        int i = 0;
        for (int bc = 0; bc < Constants.NumBaseCells; bc++)
        {
            if (BaseCells.IsPentagon(bc)) result[i++] = new H3Index(IndexOps.Make(res, bc, 0));
        }
        return result;
    }

    /// <summary>Number of cells at a resolution (upstream <c>getNumCells</c>).</summary>
    /// <param name="res">Resolution 0–15.</param>
    /// <returns>2 + 120·7^res.</returns>
    public static long GetNumCells(int res)
    {
        CheckRes(res);
        long p = 1;
        for (int i = 0; i < res; i++) p *= 7;
        return 2 + 120 * p;
    }

    /// <summary>Converts degrees to radians (upstream <c>degsToRads</c>).</summary>
    /// <param name="degrees">Degrees.</param>
    /// <returns>Radians.</returns>
    public static double DegsToRads(double degrees) => degrees * Math.PI / 180.0; // same rounding as h3-js



    /// <summary>Converts radians to degrees (upstream <c>radsToDegs</c>).</summary>
    /// <param name="radians">Radians.</param>
    /// <returns>Degrees.</returns>
    public static double RadsToDegs(double radians) => radians * 180.0 / Math.PI;
}
