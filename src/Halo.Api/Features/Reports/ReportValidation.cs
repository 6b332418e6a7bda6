using Halo.Api.Features.Geo;
using Halo.Api.Features.Taxonomy;
using Halo.Api.Infrastructure;

namespace Halo.Api.Features.Reports;

/// <summary>A submission that passed validation, device id already hashed.</summary>
public sealed record ValidReport(
    string Category,
    string? AiCategory,
    double? AiConfidence,
    string? AiModelVersion,
    double Latitude,
    double Longitude,
    double? AccuracyM,
    DateTime OccurredAt,
    string? Description,
    string DeviceHash,
    IReadOnlyList<Guid> MediaIds,
    SensorSummary? Sensors)
{
    /// <summary>The signed-in reporter, if any (anonymous reports have none).</summary>
    public Guid? UserId { get; init; }

    /// <summary>The reporter's severity (1–5), if given.</summary>
    public int? Severity { get; init; }

    /// <summary>HMAC of the client's network (<see cref="Infrastructure.ClientNetwork"/>), for witness independence.</summary>
    public string? NetworkHash { get; init; }

    /// <summary>The facts clustering looks at.</summary>
    public ReportPoint Point => new(Latitude, Longitude, OccurredAt, Category);
}

public static class ReportValidation
{
    /// <summary>The severity scale of incidents (HaloTaxonomy's category defaults use the same one).</summary>
    public const int MinSeverity = 1, MaxSeverity = 5;

    public static ValidReport? Validate(SubmitReportRequest? body, Validation v, ReportsOptions o, DateTime now, DeviceIdentity devices)
    {
        if (body is null) { v.Add("body", "A JSON body is required."); return null; }
        var category = v.Text("category", body.Category, 32, required: true);
        if (category is not null && !HaloTaxonomy.IsKnown(category))
            v.Add("category", $"Unknown category. Known: {string.Join(", ", HaloTaxonomy.Categories.Select(c => c.Code))}.");

        string? aiCategory = null;
        double? aiConfidence = null;
        string? aiModel = null;
        if (body.AiSuggestion is { } ai)
        {
            aiCategory = v.Text("ai_suggestion.category", ai.Category, 32, required: true);
            if (aiCategory is not null && !HaloTaxonomy.IsKnown(aiCategory)) v.Add("ai_suggestion.category", "Unknown category.");
            aiConfidence = v.Range("ai_suggestion.confidence", ai.Confidence, 0, 1);
            aiModel = v.Text("ai_suggestion.model_version", ai.ModelVersion, 64);
        }

        if (body.Latitude is null) v.Add("latitude", "Is required.");
        if (body.Longitude is null) v.Add("longitude", "Is required.");
        var lat = v.Range("latitude", body.Latitude, -90, 90);
        var lon = v.Range("longitude", body.Longitude, -180, 180);
        var accuracy = v.Range("accuracy_m", body.AccuracyM, 0, 100_000);

        DateTime? occurredAt = null;
        if (body.OccurredAt is null) v.Add("occurred_at", "Is required.");
        else
        {
            occurredAt = body.OccurredAt.Value.Kind == DateTimeKind.Unspecified
                ? DateTime.SpecifyKind(body.OccurredAt.Value, DateTimeKind.Utc) : body.OccurredAt.Value.ToUniversalTime();
            if (occurredAt > now.AddSeconds(o.FutureSkewSeconds)) v.Add("occurred_at", "Must not be in the future.");
            else if (occurredAt < now.AddDays(-o.MaxReportAgeDays)) v.Add("occurred_at", $"Must be within the last {o.MaxReportAgeDays} days.");
        }

        var description = v.Text("description", body.Description, o.MaxDescriptionLength);
        var deviceId = v.Text("device_id", body.DeviceId, 200, required: true);
        if (deviceId is not null && deviceId.Length < 8) v.Add("device_id", "Must be at least 8 characters.");

        var media = body.MediaIds ?? [];
        if (media.Count > o.MaxMediaPerReport) v.Add("media_ids", $"At most {o.MaxMediaPerReport} media items per report.");
        if (media.Distinct().Count() != media.Count) v.Add("media_ids", "Must not repeat an id.");
        if (media.Contains(Guid.Empty)) v.Add("media_ids", "Must not contain an empty id.");

        if (body.Severity is < MinSeverity or > MaxSeverity) v.Add("severity", $"Must be between {MinSeverity} and {MaxSeverity}.");

        var sensors = Sensors(body.Sensors, v, o);
        if (!v.IsValid) return null;
        return new ValidReport(HaloTaxonomy.ByCode[category!].Code, aiCategory is null ? null : HaloTaxonomy.ByCode[aiCategory].Code,
            aiConfidence, aiModel, lat!.Value, lon!.Value, accuracy, occurredAt!.Value, description,
            devices.Hash(deviceId!), media, sensors) { Severity = body.Severity };
    }

    private static SensorSummary? Sensors(SensorsInput? s, Validation v, ReportsOptions o)
    {
        if (s is null) return null;
        var peakG = v.Range("sensors.accelerometer.peak_g", s.Accelerometer?.PeakG, 0, 100);
        var jerk = v.Range("sensors.accelerometer.jerk", s.Accelerometer?.Jerk, 0, 100_000);
        var peakDb = v.Range("sensors.audio.peak_dbfs", s.Audio?.PeakDbfs, -200, 0);
        var meanDb = v.Range("sensors.audio.mean_dbfs", s.Audio?.MeanDbfs, -200, 0);
        if (peakDb is not null && meanDb > peakDb) v.Add("sensors.audio.mean_dbfs", "Must not exceed peak_dbfs.");

        var track = s.GpsTrack ?? [];
        if (track.Count > o.MaxGpsTrackPoints) { v.Add("sensors.gps_track", $"At most {o.MaxGpsTrackPoints} points."); return null; }
        var points = new List<(double Lat, double Lon, DateTime? T)>();
        for (var n = 0; n < track.Count; n++)
        {
            var p = track[n];
            if (p is null || p.Latitude is null || p.Longitude is null) { v.Add($"sensors.gps_track[{n}]", "latitude and longitude are required."); continue; }
            var plat = v.Range($"sensors.gps_track[{n}].latitude", p.Latitude, -90, 90);
            var plon = v.Range($"sensors.gps_track[{n}].longitude", p.Longitude, -180, 180);
            v.Range($"sensors.gps_track[{n}].accuracy_m", p.AccuracyM, 0, 100_000);
            if (plat is not null && plon is not null) points.Add((plat.Value, plon.Value, p.Timestamp?.ToUniversalTime()));
        }
        if (!v.IsValid) return null;

        double? distance = null, duration = null, maxSpeed = null;
        if (points.Count >= 2)
        {
            distance = 0;
            for (var n = 1; n < points.Count; n++)
            {
                var step = Haversine.DistanceM(points[n - 1].Lat, points[n - 1].Lon, points[n].Lat, points[n].Lon);
                distance += step;
                if (points[n].T is { } t1 && points[n - 1].T is { } t0 && t1 > t0)
                    maxSpeed = Math.Max(maxSpeed ?? 0, step / (t1 - t0).TotalSeconds);
            }
            var times = points.Where(p => p.T is not null).Select(p => p.T!.Value).ToList();
            if (times.Count >= 2) duration = (times.Max() - times.Min()).TotalSeconds;
        }
        return new SensorSummary(peakG, jerk, s.Accelerometer?.ImpactDetected, peakDb, meanDb, points.Count,
            duration, distance is null ? null : Math.Round(distance.Value, 1), maxSpeed is null ? null : Math.Round(maxSpeed.Value, 2));
    }
}
