namespace Halo.Api.Features.Geo;

/// <summary>The H3 cells Halo stores with every incident (resolution 9, plus resolution 7 for area lookups).</summary>
public static class GeoCells
{
    public const int FineResolution = 9;
    public const int CoarseResolution = 7;

    /// <summary>The H3 cell containing the point, stored as a signed 64-bit value (the bits of the H3 index).</summary>
    public static long Cell(double latitude, double longitude, int resolution) =>
        unchecked((long)Halo.H3.H3.LatLngToCell(latitude, longitude, resolution).Value);

    /// <summary>The 15-hex-digit H3 string of a stored cell (0 means "not indexed").</summary>
    public static string Format(long cell) => ((ulong)cell).ToString("x", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The centre of a stored cell, in degrees, rounded to 6 decimals (~0.1 m).</summary>
    public static (double Latitude, double Longitude) Centre(long cell)
    {
        var c = Halo.H3.H3.CellToLatLng(new Halo.H3.H3Index(unchecked((ulong)cell)));
        return (Math.Round(c.LatDegrees, 6), Math.Round(c.LngDegrees, 6));
    }
}
