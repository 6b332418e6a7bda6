using System.Globalization;

namespace Halo.H3;

/// <summary>
/// A point on the sphere in <b>radians</b>, as upstream H3's <c>LatLng</c>.
/// Use <see cref="FromDegrees"/>, <see cref="LatDegrees"/> and <see cref="LngDegrees"/> for degrees.
/// </summary>
/// <param name="Lat">Latitude in radians.</param>
/// <param name="Lng">Longitude in radians.</param>
public readonly record struct LatLng(double Lat, double Lng)
{
    /// <summary>Creates a point from latitude and longitude in degrees.</summary>
    /// <param name="latDegrees">Latitude in degrees.</param>
    /// <param name="lngDegrees">Longitude in degrees.</param>
    /// <returns>The point in radians.</returns>
    public static LatLng FromDegrees(double latDegrees, double lngDegrees) =>
        new(H3.DegsToRads(latDegrees), H3.DegsToRads(lngDegrees));

    /// <summary>Latitude in degrees.</summary>
    public double LatDegrees => H3.RadsToDegs(Lat);

    /// <summary>Longitude in degrees.</summary>
    public double LngDegrees => H3.RadsToDegs(Lng);

    /// <inheritdoc />
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"({LatDegrees:R}°, {LngDegrees:R}°)");
}
