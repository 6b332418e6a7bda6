using Halo.Api.Features.Predictions;
using Halo.Api.Features.Predictions.Serving;

namespace Halo.Api.Features.Alerts;

/// <summary>A cell's forecast risk for the current hour.</summary>
public sealed record CellRisk(ulong Cell, string Level, double Score, double ProbabilityAny);

/// <summary>The served forecast at a point for the hour of <c>utcNow</c> (null: no model yet, or no forecast for that place).</summary>
public sealed class RiskLookup(IServiceProvider services)
{
    // Resolved on first use: the risk service publishes to the live hub, whose observers (the geofence) read risk here.
    private RiskModelService Risk => field ??= services.GetRequiredService<RiskModelService>();

    public CellRisk? At(double latitude, double longitude, DateTime utcNow)
    {
        var risk = Risk;
        var s = risk.Current;
        if (s is null) return null;
        var cell = Halo.H3.H3.LatLngToCell(latitude, longitude, s.Resolution).Value;
        var hour = (int)Math.Floor((utcNow - s.Origin).TotalHours);
        if (hour is < 0 or > 23 || !s.TryIndex(cell, out var c)) return null;
        var expected = s.Expected[c * 24 + hour];
        var score = RiskMath.Score(expected, s.Model.ReferenceRate, s.Resolution, s.Resolution);
        return new CellRisk(cell, risk.Level(score), score, RiskMath.ProbabilityAny(expected));
    }

    public static int Rank(string level) => Array.IndexOf(AlertDefaults.RiskLevels, level);
}
