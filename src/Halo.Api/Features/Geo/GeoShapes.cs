using System.Text.Json;
using NetTopologySuite.Features;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO.Converters;

namespace Halo.Api.Features.Geo;

/// <summary>
/// The API's one geometry model: NetTopologySuite geometries (x = longitude, y = latitude, WGS 84), read from GeoJSON
/// with NetTopologySuite.IO.GeoJSON4STJ. Halo.H3 keeps its own dependency-free polygon type; <see cref="Rings"/> hands
/// it the coordinates.
/// </summary>
public static class GeoShapes
{
    /// <summary>
    /// GeoJSON reading. The id property name is one no file uses, so a feature's <c>properties.id</c> (the municipality
    /// code in Halo's outlines) stays a property.
    /// </summary>
    public static readonly JsonSerializerOptions GeoJson = new()
    {
        Converters = { new GeoJsonConverterFactory(writeGeometryBBox: false, idPropertyName: "\u0001feature-id") },
    };

    public static FeatureCollection ReadFeatures(string path) =>
        JsonSerializer.Deserialize<FeatureCollection>(File.ReadAllBytes(path), GeoJson)
        ?? throw new InvalidDataException($"{path} holds no GeoJSON feature collection.");

    public static Geometry ReadGeometry(string geoJson) =>
        JsonSerializer.Deserialize<Geometry>(geoJson, GeoJson) ?? throw new FormatException("Empty geometry.");

    /// <summary>A string or number property of a feature read by <see cref="ReadFeatures"/>.</summary>
    public static T Property<T>(IFeature feature, string name) =>
        feature.Attributes is IPartiallyDeserializedAttributesTable table && table.TryGetJsonObjectPropertyValue<T>(name, GeoJson, out var value)
            && value is not null
            ? value : throw new InvalidDataException($"A feature has no '{name}' property.");

    /// <summary>The polygons of a (multi)polygon, each as GeoJSON-style rings of [lon, lat] (outer ring first).</summary>
    public static IEnumerable<IReadOnlyList<IReadOnlyList<double[]>>> Rings(Geometry geometry) =>
        Polygons(geometry).Select(p => (IReadOnlyList<IReadOnlyList<double[]>>)
            [.. new[] { p.ExteriorRing }.Concat(p.InteriorRings).Select(r => (IReadOnlyList<double[]>)[.. r.Coordinates.Select(c => new[] { c.X, c.Y })])]);

    /// <summary>
    /// The largest great-circle distance from the point to any outer-ring vertex. The farthest point of a polygon from
    /// any point is always a vertex, so every position inside the polygon lies within this radius of the point.
    /// </summary>
    public static double MaxDistanceM(Geometry geometry, double lat, double lon) =>
        Polygons(geometry).SelectMany(p => p.ExteriorRing.Coordinates).Max(c => Haversine.DistanceM(lat, lon, c.Y, c.X));

    private static IEnumerable<Polygon> Polygons(Geometry geometry) => geometry switch
    {
        Polygon p => [p],
        MultiPolygon m => m.Geometries.Cast<Polygon>(),
        _ => throw new FormatException($"Unsupported geometry type '{geometry.GeometryType}'."),
    };
}
