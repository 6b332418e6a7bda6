using System.Globalization;
using System.Text.Json;
using Halo.Api.Data;
using Halo.Api.Features.ModelRegistry;
using Halo.Api.Features.Predictions.Model;
using Halo.Api.Features.Predictions.Serving;
using Microsoft.EntityFrameworkCore;
using Halo.Api.Infrastructure;
using Halo.Api.Infrastructure.RateLimiting;
using Halo.H3;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Halo.Api.Features.Predictions;

/// <summary>Raw query of <c>GET /api/v1/predictions/hotspots</c>, parsed so that every bad field is named.</summary>
public sealed class HotspotQueryParameters
{
    [FromQuery(Name = "lat")] public string? Lat { get; init; }
    [FromQuery(Name = "lon")] public string? Lon { get; init; }
    [FromQuery(Name = "radius_km")] public string? RadiusKm { get; init; }
    [FromQuery(Name = "bbox")] public string? Bbox { get; init; }
    [FromQuery(Name = "hours_ahead")] public string? HoursAhead { get; init; }
    [FromQuery(Name = "min_risk")] public string? MinRisk { get; init; }
    [FromQuery(Name = "limit")] public string? Limit { get; init; }
    [FromQuery(Name = "resolution")] public string? Resolution { get; init; }
    [FromQuery(Name = "format")] public string? Format { get; init; }
    [FromQuery(Name = "detail")] public string? Detail { get; init; }
}

public static class PredictionsEndpoints
{
    public static IEndpointRouteBuilder MapPredictions(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/predictions").WithTags("Predictions").AllowAnonymous().RequireRateLimiting(RateLimitPolicies.Reads);
        group.MapGet("/hotspots", Hotspots)
            .WithSummary("Predicted risk per H3 cell for one hour of the next 24, in a circle or box; JSON or a GeoJSON FeatureCollection.")
            .WithDescription("detail=summary keeps, per cell, only its id, shape, risk score and level, expected count (with its display string), prediction time and support (with support_area for a coarse-only cell, which a map draws as that area): what a map draws, about a quarter of the full size. The factors of one cell are at /cell/{h3}?hours_ahead=h.");
        group.MapGet("/cell/{h3}", Cell).WithSummary("All 24 hourly forecasts for one cell, and its factors for one hour (hours_ahead; the peak hour by default).");
        group.MapGet("/report-card", ReportCard)
            .WithSummary("The serving model's validation backtest against the best naive forecast (hit rate and PAI at 5 %), its data window and training time, from the model registry.");
        group.MapGet("/metrics", Metrics).WithSummary("The serving risk model's version, why it was chosen and its validation metrics.");
        return app;
    }

    private static ProblemHttpResult NotReady() =>
        TypedResults.Problem("No risk model has been trained yet; try again in a few minutes.", statusCode: StatusCodes.Status503ServiceUnavailable, title: "Model not ready");

    private static Results<HotspotsResult, ValidationProblem, ProblemHttpResult> Hotspots(
        [AsParameters] HotspotQueryParameters q, RiskModelService service, IOptions<PredictionOptions> options)
    {
        var o = options.Value;
        var v = new Validation();
        var hours = v.Int("hours_ahead", q.HoursAhead, 0, 23) ?? 0;
        var minRisk = v.Double("min_risk", q.MinRisk, 0, 1) ?? 0;
        var limit = v.Int("limit", q.Limit, 1, o.MaxHotspots) ?? o.DefaultHotspots;
        var resolution = v.Int("resolution", q.Resolution, 5, o.Resolution) ?? o.Resolution;
        var format = (q.Format ?? "json").ToLowerInvariant();
        if (format is not ("json" or "geojson")) v.Add("format", "Must be json or geojson.");
        var detail = (q.Detail ?? "full").ToLowerInvariant();
        if (detail is not ("full" or "summary")) v.Add("detail", "Must be full or summary.");
        var (area, circle) = v.Area(q.Bbox, q.Lat, q.Lon, q.RadiusKm, o.MaxRadiusKm, required: true, allowAntimeridian: false);
        if (!v.IsValid) return TypedResults.ValidationProblem(v.Errors);

        // Served from the in-memory snapshot only: no database query per request.
        var s = service.Current;
        if (s is null) return NotReady();
        var b = circle is { } c ? Geo.Haversine.BoundingBox(c.Lat, c.Lon, c.RadiusM) : (area!.MinLat, area.MinLon, area.MaxLat, area.MaxLon);
        Func<double, double, bool>? inCircle = circle is { } cc ? (lat, lon) => Geo.Haversine.DistanceM(cc.Lat, cc.Lon, lat, lon) <= cc.RadiusM : null;
        var minExpected = RiskMath.ExpectedForScore(minRisk, s.Model.ReferenceRate, s.Resolution, resolution);
        var rows = resolution == s.Resolution
            ? s.TopInBox(b.MinLat, b.MinLon, b.MaxLat, b.MaxLon, hours, minExpected, limit, inCircle)
            : TopParents(s, b, inCircle, hours, resolution, minExpected, limit);
        return new HotspotsResult(s, service, rows, hours, resolution, format == "geojson", summary: detail == "summary");
    }

    /// <summary>A coarser view: parents add their active children's expected counts and show the busiest child's factors.</summary>
    private static HotspotRow[] TopParents(PredictionSnapshot s, (double MinLat, double MinLon, double MaxLat, double MaxLon) b,
        Func<double, double, bool>? keep, int hours, int resolution, double minExpected, int limit)
    {
        var parents = new Dictionary<ulong, (double Sum, int Best, double BestValue, bool Fine)>();
        var parentOf = s.Parents(resolution);
        foreach (var i in s.InBox(b.MinLat, b.MinLon, b.MaxLat, b.MaxLon))
        {
            if (keep is not null && !keep(s.Lat[i], s.Lon[i])) continue;
            var p = parentOf[i];
            var e = s.Expected[i * 24 + hours];
            var fine = s.Support(i).Kind == "fine";
            parents[p] = parents.TryGetValue(p, out var a) ? (a.Sum + e, e > a.BestValue ? i : a.Best, Math.Max(e, a.BestValue), a.Fine || fine) : (e, i, e, fine);
        }
        return [.. parents.Select(x => new HotspotRow(x.Key, x.Value.Sum, x.Value.Best, x.Value.Fine)).Where(x => x.Expected >= minExpected)
            .OrderByDescending(x => x.Expected).ThenBy(x => x.Cell).Take(limit)];
    }

    private static Results<Ok<CellForecastResponse>, ValidationProblem, NotFound<ProblemDetails>, ProblemHttpResult> Cell(
        string h3, [FromQuery(Name = "hours_ahead")] string? hoursAhead, RiskModelService service)
    {
        var v = new Validation();
        var factorHour = v.Int("hours_ahead", hoursAhead, 0, 23);
        if (!H3Index.TryParse(h3, out var index) || !index.IsValidCell) v.Add("h3", "Must be a valid H3 cell index (15 hex digits).");
        if (!v.IsValid) return TypedResults.ValidationProblem(v.Errors);
        var s = service.Current;
        if (s is null) return NotReady();
        var res = index.Resolution;
        if (res > s.Resolution || res < 5)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["h3"] = [$"Resolution must be 5 to {s.Resolution}."] });
        // A parent cell sums its active children; an inactive cell has no forecast.
        var members = new List<int>();
        if (res == s.Resolution) { if (s.TryIndex(index.Value, out var i)) members.Add(i); }
        else foreach (var child in H3.H3.CellToChildren(index, s.Resolution)) if (s.TryIndex(child.Value, out var i)) members.Add(i);
        if (members.Count == 0)
            return TypedResults.NotFound(new ProblemDetails { Title = "No forecast", Detail = "The cell is outside the area with events (no forecast).", Status = 404 });
        var hours = Enumerable.Range(0, 24).Select(h =>
        {
            var e = members.Sum(i => (double)s.Expected[i * 24 + h]);
            var score = RiskMath.Score(e, s.Model.ReferenceRate, s.Resolution, res);
            return new CellHourDto(h, s.Origin.AddHours(h), RiskMath.Round(e), RiskMath.Round(RiskMath.ProbabilityAny(e)), Math.Round(score, 4), service.Level(score),
                RiskMath.ExpectedDisplay(e), RiskMath.ProbabilityDisplay(e));
        }).ToList();
        // The factors are those of one hour (asked, or the peak), and for a parent those of its busiest child then, as
        // the hotspots list shows them.
        var peak = factorHour ?? hours.MaxBy(x => x.ExpectedCount)!.HoursAhead;
        var best = members.MaxBy(i => s.Expected[i * 24 + peak]);
        // A parent with any fine child is drawn as a cell (as the hotspots list says).
        var support = res < s.Resolution && members.Any(i => s.Support(i).Kind == "fine") ? new CellSupport("fine", res, null) : s.Support(best);
        var centre = H3.H3.CellToLatLng(index);
        var boundary = H3.H3.CellToBoundary(index).Select(p => new[] { Math.Round(p.LatDegrees, 6), Math.Round(p.LngDegrees, 6) }).ToArray();
        return TypedResults.Ok(new CellForecastResponse(index.ToString(), res, Math.Round(centre.LatDegrees, 6), Math.Round(centre.LngDegrees, 6), boundary,
            s.Model.Version, s.Model.Model.Name, s.ComputedAt, Math.Round(members.Average(i => s.Confidence[i]), 3), s.Factors(best, peak), hours, Window(s), service.Levels,
            s.FactorData(best, peak), support.Kind, support.Resolution, support.Area));
    }

    private static Results<Ok<PredictionMetricsResponse>, NotFound<ProblemDetails>> Metrics(RiskModelService service)
    {
        var s = service.Current;
        // No model yet means no metrics resource yet (not an outage): 404, so monitoring can tell the two apart.
        if (s is null) return TypedResults.NotFound(new ProblemDetails { Title = "No risk model yet", Detail = "No risk model has been trained yet.", Status = 404 });
        var m = s.Model;
        return TypedResults.Ok(new PredictionMetricsResponse(m.Version, m.Model.Name, m.TrainedAt, Window(s), m.WhyChosen, m.ValidationFrom, m.Validation,
            s.ComputedAt, s.Count, s.Resolution, m.ReferenceRate));
    }

    private static async Task<Results<Ok<ReportCardResponse>, NotFound<ProblemDetails>>> ReportCard(RiskModelService service, ReportCardCache cards,
        HaloDbContext db, CancellationToken ct)
    {
        var version = service.Model?.Version;
        if (version is not null && cards.Get(version) is { } cached) return TypedResults.Ok(cached);
        var row = version is null ? null : await db.Set<ModelVersion>().AsNoTracking()
            .Where(m => m.Kind == ModelKinds.Risk && m.Version == version)
            .Select(m => new { m.Version, m.ModelName, m.TrainedAt, m.DataFrom, m.DataTo, m.MetricsJson, m.WhyChosen }).FirstOrDefaultAsync(ct);
        if (row?.MetricsJson is null || row.ModelName is null)
            return TypedResults.NotFound(new ProblemDetails { Title = "No risk model yet", Detail = "No trained risk model with validation scores is serving.", Status = 404 });
        using var doc = JsonDocument.Parse(row.MetricsJson);
        var root = doc.RootElement;
        static ReportCardScoreDto Score(JsonElement e) => new(e.GetProperty("name").GetString()!,
            e.GetProperty("hit_rate_at").TryGetProperty("5", out var h) ? h.GetDouble() : 0, e.GetProperty("pai_at").TryGetProperty("5", out var p) ? p.GetDouble() : 0,
            e.TryGetProperty("mean_log_likelihood", out var l) ? l.GetDouble() : 0);
        static DateTime? Date(JsonElement r, string name) => r.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetDateTime() : null;
        var validation = root.TryGetProperty("validation", out var val) ? val.EnumerateArray().Select(Score).ToList() : [];
        var served = validation.FirstOrDefault(v => v.Name == row.ModelName) ?? new ReportCardScoreDto(row.ModelName, 0, 0, 0);
        var naive = validation.Where(v => !RiskTrainer.IsChallenger(v.Name) && v.Name != row.ModelName).MaxBy(v => v.Pai5);
        var windows = new List<ReportCardWindowDto>();
        if (root.TryGetProperty("windows", out var ws))
            foreach (var w in ws.EnumerateArray())
            {
                var scores = w.GetProperty("scores").EnumerateArray().Select(Score).ToList();
                var sv = scores.FirstOrDefault(x => x.Name == served.Name);
                var nv = naive is null ? null : scores.FirstOrDefault(x => x.Name == naive.Name);
                if (sv is null) continue;
                windows.Add(new ReportCardWindowDto(w.GetProperty("from").GetDateTime(), w.GetProperty("days").GetInt32(),
                    w.TryGetProperty("events", out var ev) ? ev.GetDouble() : 0, sv.HitRate5, sv.Pai5, nv?.HitRate5 ?? 0, nv?.Pai5 ?? 0));
            }
        var card = new ReportCardResponse(row.Version, row.ModelName, !RiskTrainer.IsChallenger(row.ModelName), row.TrainedAt, row.DataFrom, row.DataTo,
            Date(root, "validation_from"), Date(root, "validation_to"), root.TryGetProperty("validation_events", out var ve) ? ve.GetDouble() : 0,
            served, naive, windows, row.WhyChosen);
        cards.Set(row.Version, card);
        return TypedResults.Ok(card);
    }

    internal static DataWindowDto Window(PredictionSnapshot s)
    {
        var stale = s.Origin - s.HistoryEnd > TimeSpan.FromDays(1);
        return new DataWindowDto(s.Model.DataFrom, s.Model.DataTo, s.HistoryEnd, stale,
            stale ? string.Create(CultureInfo.InvariantCulture,
                $"The newest event is from {s.HistoryEnd:yyyy-MM-dd}: counts and trends are those of the data up to then, the hour-of-week profile is applied to the hours forecast.")
            : null);
    }
}
