using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using NetTopologySuite.Algorithm.Locate;
using NetTopologySuite.Geometries;

namespace Halo.Api.Features.Geo;

public enum SwedishAreaKind { Municipality, County }

/// <summary>A Swedish municipality (kommun) or county (län) with its official SCB code and (multi)polygon.</summary>
public sealed record SwedishArea(SwedishAreaKind Kind, string Code, string Name, string CountyCode, Geometry Polygon)
{
    // Indexed once per area: the same outlines answer many point look-ups. Thread-safe.
    private readonly IndexedPointInAreaLocator _locator = new(Polygon);

    /// <summary>Inside the polygon (a point on its border counts as inside) and outside every hole.</summary>
    public bool Contains(double lat, double lon) =>
        Polygon.EnvelopeInternal.Contains(lon, lat) && _locator.Locate(new Coordinate(lon, lat)) != Location.Exterior;

    /// <inheritdoc cref="GeoShapes.MaxDistanceM"/>
    public double MaxDistanceM(double lat, double lon) => GeoShapes.MaxDistanceM(Polygon, lat, lon);
}

/// <summary>
/// The 290 municipalities and 21 counties, from the bundled <c>Resources/swedish_admin_areas.csv</c> and the polygons
/// in <c>Resources/sweden/</c>. Police events name one of these areas and put the event at its centroid.
/// </summary>
public sealed class SwedishAreas
{
    /// <summary>
    /// Precision when an event's area is unknown and its point lies in no municipality: roughly the radius of a large
    /// Swedish county, so such an event never claims more accuracy than a county-level one.
    /// </summary>
    public const double UnknownAreaPrecisionM = 150_000;

    private readonly Dictionary<string, SwedishArea> _byName;
    private readonly ConcurrentDictionary<(string, double, double), double> _precisionCache = new();

    public IReadOnlyList<SwedishArea> Municipalities { get; }
    public IReadOnlyList<SwedishArea> Counties { get; }

    private SwedishAreas(IReadOnlyList<SwedishArea> municipalities, IReadOnlyList<SwedishArea> counties)
    {
        Municipalities = municipalities;
        Counties = counties;
        _byName = municipalities.Concat(counties).ToDictionary(a => Key(a.Name), StringComparer.Ordinal);
    }

    public static string DefaultResourceDirectory => Path.Combine(AppContext.BaseDirectory, "Resources");

    /// <summary>Loads the areas from a resource folder laid out like <c>src/Halo.Api/Resources</c>.</summary>
    public static SwedishAreas Load(string resourceDirectory)
    {
        var rows = File.ReadAllLines(Path.Combine(resourceDirectory, "swedish_admin_areas.csv"), Encoding.UTF8)
            .Skip(1).Where(l => l.Length > 0).Select(l => l.Split(',')).ToList();
        var municipalityPolygons = ReadFeatures(Path.Combine(resourceDirectory, "sweden", "swedish_municipalities.geojson"),
            f => GeoShapes.Property<string>(f, "id"));
        var countyPolygons = ReadFeatures(Path.Combine(resourceDirectory, "sweden", "swedish_regions.geojson"),
            f => GeoShapes.Property<int>(f, "l_id").ToString("00", CultureInfo.InvariantCulture));

        var municipalities = rows.Select(r => new SwedishArea(SwedishAreaKind.Municipality, r[0], r[1], r[2],
            municipalityPolygons.TryGetValue(r[0], out var poly) ? poly
                : throw new InvalidDataException($"No polygon for municipality {r[0]} {r[1]}."))).ToList();
        var counties = rows.GroupBy(r => r[2]).Select(g => new SwedishArea(SwedishAreaKind.County, g.Key, g.First()[3], g.Key,
            countyPolygons.TryGetValue(g.Key, out var poly) ? poly
                : throw new InvalidDataException($"No polygon for county {g.Key}."))).ToList();
        return new SwedishAreas(municipalities, counties);
    }

    private static Dictionary<string, Geometry> ReadFeatures(string path, Func<NetTopologySuite.Features.IFeature, string> key) =>
        GeoShapes.ReadFeatures(path).ToDictionary(key, f => f.Geometry);

    /// <summary>
    /// Finds an area by the police's <c>location.name</c>: case and whitespace are ignored (the feed writes both
    /// "Upplands Väsby" and "Upplands väsby"); a name ending in " län" is a county, anything else a municipality.
    /// </summary>
    public SwedishArea? Find(string? name)
    {
        if (string.IsNullOrWhiteSpace(name)) return null;
        return _byName.TryGetValue(Key(name), out var area) ? area : null;
    }

    /// <summary>The municipality whose polygon contains the point, if any.</summary>
    public SwedishArea? MunicipalityAt(double lat, double lon) => Municipalities.FirstOrDefault(m => m.Contains(lat, lon));

    /// <summary>
    /// Radius in metres around (<paramref name="lat"/>, <paramref name="lon"/>) that contains the whole named area.
    /// Fallback for an unknown name: the municipality containing the point, else <see cref="UnknownAreaPrecisionM"/>.
    /// </summary>
    public double PrecisionM(string? areaName, double lat, double lon) =>
        _precisionCache.GetOrAdd((Key(areaName ?? ""), lat, lon), _ =>
        {
            var area = Find(areaName) ?? MunicipalityAt(lat, lon);
            return area is null ? UnknownAreaPrecisionM : Math.Round(area.MaxDistanceM(lat, lon));
        });

    private static string Key(string name) => string.Join(' ', name.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        .ToLowerInvariant();
}
