namespace Halo.H3;

/// <summary>
/// A polygon with holes (upstream <c>GeoPolygon</c>): an exterior loop and hole loops, vertices in radians.
/// Loops may repeat their first vertex at the end, as GeoJSON does; edges are straight lines in lat/lng
/// (Cartesian), and a loop with an edge spanning more than 180° of longitude is taken to cross the antimeridian.
/// </summary>
public sealed class GeoPolygon
{
    /// <summary>Creates a polygon.</summary>
    /// <param name="exterior">The exterior loop (radians).</param>
    /// <param name="holes">Hole loops (radians), or none.</param>
    public GeoPolygon(IReadOnlyList<LatLng> exterior, IReadOnlyList<IReadOnlyList<LatLng>>? holes = null)
    {
        ArgumentNullException.ThrowIfNull(exterior);
        Exterior = [.. exterior];
        Holes = holes is null ? [] : [.. holes.Select(h => h.ToArray())];
    }

    /// <summary>The exterior loop, radians.</summary>
    public LatLng[] Exterior { get; }

    /// <summary>The hole loops, radians.</summary>
    public LatLng[][] Holes { get; }

    /// <summary>
    /// Builds a polygon from GeoJSON <c>Polygon</c> coordinates: rings of [longitude, latitude] pairs in degrees,
    /// the first ring the exterior and the rest holes (what h3-js <c>polygonToCells(coords, res, true)</c> takes).
    /// </summary>
    /// <param name="rings">The GeoJSON rings.</param>
    /// <returns>The polygon.</returns>
    public static GeoPolygon FromGeoJson(IReadOnlyList<IReadOnlyList<double[]>> rings)
    {
        ArgumentNullException.ThrowIfNull(rings);
        if (rings.Count == 0) return new GeoPolygon([]);
        static LatLng[] Ring(IReadOnlyList<double[]> ring) =>
            [.. ring.Select(p => p.Length >= 2 ? LatLng.FromDegrees(p[1], p[0]) : throw new ArgumentException("Positions need [lng, lat].", nameof(rings)))];
        return new GeoPolygon(Ring(rings[0]), [.. rings.Skip(1).Select(Ring)]);
    }
}
