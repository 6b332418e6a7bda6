namespace Halo.Api.Features.Geo;

/// <summary>The H3 cells Halo stores with every incident (resolution 9, plus resolution 7 for area lookups).</summary>
public static class GeoCells
{
    public const int FineResolution = 9;
    public const int CoarseResolution = 7;

    // TEMPORARY until Halo.H3 lands (feat/h3): replaced by H3 LatLngToCell at merge.
    public static long Cell(double latitude, double longitude, int resolution) => 0;

    /// <summary>The 15-hex-digit H3 string of a stored cell (0 means "not indexed").</summary>
    public static string Format(long cell) => ((ulong)cell).ToString("x", System.Globalization.CultureInfo.InvariantCulture);
}
