using System.Text.Json;

namespace Halo.Api.Features.Geo;

/// <summary>
/// A WGS84 (multi)polygon as read from GeoJSON: each part is an outer ring plus holes, rings as (lon, lat) pairs.
/// Small and dependency-free: enough for "is this point in that municipality" and area radii.
/// </summary>
public sealed class GeoPolygon
{
    private readonly double[][][] _parts; // part -> ring -> [lon0, lat0, lon1, lat1, ...]

    public double MinLat { get; }
    public double MaxLat { get; }
    public double MinLon { get; }
    public double MaxLon { get; }

    private GeoPolygon(double[][][] parts)
    {
        _parts = parts;
        MinLat = MinLon = double.MaxValue;
        MaxLat = MaxLon = double.MinValue;
        foreach (var outer in parts.Select(p => p[0]))
        {
            for (var i = 0; i < outer.Length; i += 2)
            {
                MinLon = Math.Min(MinLon, outer[i]);
                MaxLon = Math.Max(MaxLon, outer[i]);
                MinLat = Math.Min(MinLat, outer[i + 1]);
                MaxLat = Math.Max(MaxLat, outer[i + 1]);
            }
        }
    }

    /// <summary>Reads a GeoJSON <c>Polygon</c> or <c>MultiPolygon</c> geometry object.</summary>
    public static GeoPolygon FromGeoJson(JsonElement geometry)
    {
        var type = geometry.GetProperty("type").GetString();
        var coords = geometry.GetProperty("coordinates");
        var parts = type switch
        {
            "Polygon" => [ReadPolygon(coords)],
            "MultiPolygon" => coords.EnumerateArray().Select(ReadPolygon).ToArray(),
            _ => throw new FormatException($"Unsupported geometry type '{type}'."),
        };
        if (parts.Length == 0) throw new FormatException("Empty geometry.");
        return new GeoPolygon(parts);
    }

    /// <summary>Builds a polygon from one outer ring of (lat, lon) points (tests and callers without GeoJSON).</summary>
    public static GeoPolygon FromRing(IReadOnlyList<(double Lat, double Lon)> ring) =>
        new([[ring.SelectMany(p => new[] { p.Lon, p.Lat }).ToArray()]]);

    private static double[][] ReadPolygon(JsonElement polygon) =>
        polygon.EnumerateArray().Select(ring =>
            ring.EnumerateArray().SelectMany(pt => new[] { pt[0].GetDouble(), pt[1].GetDouble() }).ToArray()).ToArray();

    /// <summary>Even-odd ray casting per part: inside the outer ring and outside every hole.</summary>
    public bool Contains(double lat, double lon)
    {
        if (lat < MinLat || lat > MaxLat || lon < MinLon || lon > MaxLon) return false;
        foreach (var part in _parts)
        {
            if (!RingContains(part[0], lat, lon)) continue;
            var inHole = false;
            for (var h = 1; h < part.Length && !inHole; h++) inHole = RingContains(part[h], lat, lon);
            if (!inHole) return true;
        }
        return false;
    }

    private static bool RingContains(double[] ring, double lat, double lon)
    {
        var inside = false;
        var n = ring.Length / 2;
        for (int i = 0, j = n - 1; i < n; j = i++)
        {
            double xi = ring[2 * i], yi = ring[2 * i + 1], xj = ring[2 * j], yj = ring[2 * j + 1];
            if ((yi > lat) != (yj > lat) && lon < (xj - xi) * (lat - yi) / (yj - yi) + xi) inside = !inside;
        }
        return inside;
    }

    /// <summary>
    /// The largest great-circle distance from the point to any outer-ring vertex. The farthest point of a polygon from
    /// any point is always a vertex, so every position inside the polygon lies within this radius of the point.
    /// </summary>
    public double MaxDistanceM(double lat, double lon)
    {
        var max = 0.0;
        foreach (var outer in _parts.Select(p => p[0]))
            for (var i = 0; i < outer.Length; i += 2)
                max = Math.Max(max, Haversine.DistanceM(lat, lon, outer[i + 1], outer[i]));
        return max;
    }
}
