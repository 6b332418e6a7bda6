namespace Halo.Api.Features.Geo;

public static class Haversine
{
    public const double EarthRadiusM = 6_371_008.8;

    /// <summary>Great-circle distance in metres between two WGS84 points.</summary>
    public static double DistanceM(double lat1, double lon1, double lat2, double lon2)
    {
        var dLat = DegToRad(lat2 - lat1);
        var dLon = DegToRad(lon2 - lon1);
        var a = Math.Sin(dLat / 2) * Math.Sin(dLat / 2)
              + Math.Cos(DegToRad(lat1)) * Math.Cos(DegToRad(lat2)) * Math.Sin(dLon / 2) * Math.Sin(dLon / 2);
        return 2 * EarthRadiusM * Math.Asin(Math.Min(1, Math.Sqrt(a)));
    }

    /// <summary>A lat/lon box that contains every point within <paramref name="radiusM"/> of the centre (prefilter only).</summary>
    public static (double MinLat, double MinLon, double MaxLat, double MaxLon) BoundingBox(double lat, double lon, double radiusM)
    {
        var dLat = radiusM / EarthRadiusM * 180 / Math.PI;
        var minLat = Math.Max(-90, lat - dLat);
        var maxLat = Math.Min(90, lat + dLat);
        // Near the poles every longitude is within reach.
        var maxAbsLat = Math.Max(Math.Abs(minLat), Math.Abs(maxLat));
        if (maxAbsLat >= 89.9) return (minLat, -180, maxLat, 180);
        var dLon = dLat / Math.Cos(DegToRad(maxAbsLat));
        return (minLat, Math.Max(-180, lon - dLon), maxLat, Math.Min(180, lon + dLon));
    }

    public static double DegToRad(double d) => d * Math.PI / 180;
}
