using Halo.Api.Features.Geo;

namespace Halo.Api.Features.Reports;

/// <summary>Public positions of citizen data.</summary>
public static class ReportPrivacy
{
    /// <summary>The centre of the resolution-9 H3 cell holding the point (cells are ~0.1 km², edge ~200 m).</summary>
    public static (double Latitude, double Longitude) Coarsen(double latitude, double longitude) =>
        GeoCells.Centre(GeoCells.Cell(latitude, longitude, GeoCells.FineResolution));

    /// <summary>Radius (m) within which the true point lies after <see cref="Coarsen"/>.</summary>
    public const double CoarsenedPrecisionM = 200;
}
