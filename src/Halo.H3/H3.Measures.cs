using Halo.H3.Internal;

namespace Halo.H3;

public static partial class H3
{
    /// <summary>Mean Earth radius used by H3, in kilometres (upstream <c>EARTH_RADIUS_KM</c>).</summary>
    public const double EarthRadiusKm = Constants.EarthRadiusKm;

    private static readonly double[] HexAreaAvgKm2 =
    [
        4357449.416078383, 609788.4417941332, 86801.7803989972, 12393.43465508816, 1770.347654491307,
        252.9038581819449, 36.12906216441245, 5.161293359717191, 0.7373275975944177, 0.1053325134272067,
        0.01504750190766435, 0.002149643129451879, 0.000307091875631606, 0.00004387026794728296,
        0.000006267181135324313, 8.95311590760579e-7,
    ];

    private static readonly double[] HexAreaAvgM2 =
    [
        4357449416078.39, 609788441794.1339, 86801780398.99731, 12393434655.08818, 1770347654.491309,
        252903858.1819452, 36129062.1644125, 5161293.359717198, 737327.5975944188, 105332.5134272069,
        15047.50190766437, 2149.643129451882, 307.0918756316063, 43.87026794728301, 6.267181135324322,
        0.8953115907605802,
    ];

    private static readonly double[] EdgeLengthAvgKm =
    [
        1281.256011, 483.0568391, 182.5129565, 68.97922179, 26.07175968, 9.85409099, 3.724532667, 1.406475763,
        0.53141401, 0.200786148, 0.075863783, 0.028663897, 0.010830188, 0.00409201, 0.0015461, 0.000584169,
    ];

    private static readonly double[] EdgeLengthAvgM =
    [
        1281256.011, 483056.8391, 182512.9565, 68979.22179, 26071.75968, 9854.09099, 3724.532667, 1406.475763,
        531.4140101, 200.7861476, 75.86378287, 28.66389748, 10.83018784, 4.092010473, 1.546099657, 0.58416863,
    ];

    /// <summary>Average hexagon area at a resolution in km² (upstream <c>getHexagonAreaAvgKm2</c>).</summary>
    /// <param name="res">Resolution 0–15.</param>
    /// <returns>Area in km².</returns>
    public static double GetHexagonAreaAvgKm2(int res)
    {
        CheckRes(res);
        return HexAreaAvgKm2[res];
    }

    /// <summary>Average hexagon area at a resolution in m² (upstream <c>getHexagonAreaAvgM2</c>).</summary>
    /// <param name="res">Resolution 0–15.</param>
    /// <returns>Area in m².</returns>
    public static double GetHexagonAreaAvgM2(int res)
    {
        CheckRes(res);
        return HexAreaAvgM2[res];
    }

    /// <summary>Average hexagon edge length at a resolution in km (upstream <c>getHexagonEdgeLengthAvgKm</c>).</summary>
    /// <param name="res">Resolution 0–15.</param>
    /// <returns>Length in km.</returns>
    public static double GetHexagonEdgeLengthAvgKm(int res)
    {
        CheckRes(res);
        return EdgeLengthAvgKm[res];
    }

    /// <summary>Average hexagon edge length at a resolution in m (upstream <c>getHexagonEdgeLengthAvgM</c>).</summary>
    /// <param name="res">Resolution 0–15.</param>
    /// <returns>Length in m.</returns>
    public static double GetHexagonEdgeLengthAvgM(int res)
    {
        CheckRes(res);
        return EdgeLengthAvgM[res];
    }

    /// <summary>Great-circle (haversine) distance in radians (upstream <c>greatCircleDistanceRads</c>).</summary>
    /// <param name="a">First point.</param>
    /// <param name="b">Second point.</param>
    /// <returns>Distance in radians.</returns>
    public static double GreatCircleDistanceRads(LatLng a, LatLng b) => Polyfill.GreatCircleDistanceRads(a.Lat, a.Lng, b.Lat, b.Lng);

    /// <summary>Great-circle distance in km (upstream <c>greatCircleDistanceKm</c>).</summary>
    /// <param name="a">First point.</param>
    /// <param name="b">Second point.</param>
    /// <returns>Distance in km.</returns>
    public static double GreatCircleDistanceKm(LatLng a, LatLng b) => GreatCircleDistanceRads(a, b) * Constants.EarthRadiusKm;

    /// <summary>Great-circle distance in m (upstream <c>greatCircleDistanceM</c>).</summary>
    /// <param name="a">First point.</param>
    /// <param name="b">Second point.</param>
    /// <returns>Distance in m.</returns>
    public static double GreatCircleDistanceM(LatLng a, LatLng b) => GreatCircleDistanceKm(a, b) * 1000;

    /// <summary>
    /// Exact area of a cell in square radians (upstream <c>cellAreaRads2</c>: the spherical polygon area of its
    /// boundary, summed with Cagnoli's formula and Kahan compensation).
    /// </summary>
    /// <param name="cell">A valid cell.</param>
    /// <returns>Area on the unit sphere.</returns>
    public static double CellAreaRads2(H3Index cell)
    {
        Span<LatLng> verts = stackalloc LatLng[Constants.MaxCellBoundaryVerts];
        int n = CellToBoundary(cell, verts);
        double sum = 0.0, comp = 0.0;
        for (int i = 0; i < n; i++)
        {
            double y = Cagnoli(verts[i], verts[(i + 1) % n]) - comp;
            double t = sum + y;
            comp = (t - sum) - y;
            sum = t;
        }

        if (sum < 0.0)
        {
            double y = 4.0 * Math.PI - comp;
            sum += y;
        }

        return sum;
    }

    private static double Cagnoli(LatLng x, LatLng y)
    {
        double xLat = x.Lat / 2.0 + Math.PI / 4.0;
        double yLat = y.Lat / 2.0 + Math.PI / 4.0;
        FdLibm.SinCos(xLat, out double sx, out double cx);
        FdLibm.SinCos(yLat, out double sy, out double cy);
        double sa = sx * sy;
        double ca = cx * cy;
        FdLibm.SinCos(y.Lng - x.Lng, out double sd, out double cd);
        return -2.0 * FdLibm.Atan2(sa * sd, sa * cd + ca);
    }

    /// <summary>Exact area of a cell in km² (upstream <c>cellAreaKm2</c>).</summary>
    /// <param name="cell">A valid cell.</param>
    /// <returns>Area in km².</returns>
    public static double CellAreaKm2(H3Index cell) => CellAreaRads2(cell) * Constants.EarthRadiusKm * Constants.EarthRadiusKm;

    /// <summary>Exact area of a cell in m² (upstream <c>cellAreaM2</c>).</summary>
    /// <param name="cell">A valid cell.</param>
    /// <returns>Area in m².</returns>
    public static double CellAreaM2(H3Index cell) => CellAreaKm2(cell) * 1000 * 1000;
}
