using Halo.Api.Features.Geo;

namespace Halo.Api.Features.Reports;

/// <summary>Public positions of citizen data.</summary>
public static class ReportPrivacy
{
    // Resolution-9 H3 cells average ~174 m per edge (~0.1 km²). Until GeoCells can return a cell's centre (Halo.H3's
    // CellToLatLng, feat/h3), positions snap to the centre of a grid square of that size; replace the body of
    // Coarsen with GeoCells' cell centre of GeoCells.Cell(lat, lon, 9) when it lands.
    private const double StepDeg = 0.0016;

    /// <summary>The centre of the resolution-9 cell (see above) holding the point.</summary>
    public static (double Latitude, double Longitude) Coarsen(double latitude, double longitude)
    {
        var latIndex = Math.Floor(latitude / StepDeg);
        var lat = (latIndex + 0.5) * StepDeg;
        var lonStep = StepDeg / Math.Max(0.05, Math.Cos(Haversine.DegToRad(lat)));
        var lon = (Math.Floor(longitude / lonStep) + 0.5) * lonStep;
        return (Math.Round(Math.Clamp(lat, -90, 90), 6), Math.Round(Math.Clamp(lon, -180, 180), 6));
    }

    /// <summary>Radius (m) within which the true point lies after <see cref="Coarsen"/>.</summary>
    public const double CoarsenedPrecisionM = 200;
}
