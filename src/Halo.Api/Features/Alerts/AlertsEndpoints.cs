using System.Text.Json;
using Halo.Api.Data;
using Halo.Api.Features.Auth;
using Halo.Api.Features.Push;
using Halo.Api.Features.Reports;
using Halo.Api.Features.Taxonomy;
using Halo.Api.Infrastructure;
using Halo.Api.Infrastructure.RateLimiting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Halo.Api.Features.Alerts;

/// <summary>Who alerts are for: a signed-in user, or an anonymous device (its X-Device-Id, stored only as the keyed hash).</summary>
public readonly record struct AlertOwner(Guid? UserId, string? DeviceHash)
{
    public string Key => UserId is { } u ? "user:" + u.ToString("N") : "device:" + DeviceHash;
}

public static class AlertsEndpoints
{
    public const string DeviceHeader = "X-Device-Id";
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static IEndpointRouteBuilder MapAlerts(this IEndpointRouteBuilder app)
    {
        // Signed in, or an anonymous device naming itself with X-Device-Id (the app's device id).
        var group = app.MapGroup("/api/v1/me").WithTags("Alerts").AllowAnonymous().RequireRateLimiting(RateLimitPolicies.Reads);
        group.MapGet("/alerts", Get).WithSummary("Alert preferences (defaults until saved). Signed in, or X-Device-Id of a device with a push subscription.");
        group.MapPut("/alerts", Put).WithSummary("Replaces the alert preferences. An anonymous device needs a push subscription first (its preferences are kept with it).");
        group.MapPost("/position", Position)
            .WithSummary("The app's current position, while it is open: held in memory only (never stored, never logged) for geofence alerts; answers the alerts it raised.");
        group.MapDelete("/position", ForgetPosition).WithSummary("Forgets the position now (the app closed).");
        return app;
    }

    /// <summary>The caller as an alert owner, or a 400 naming what is missing.</summary>
    internal static (AlertOwner? Owner, ProblemHttpResult? Error) OwnerOf(HttpContext http, DeviceIdentity devices)
    {
        if (http.User.UserId() is { } user) return (new AlertOwner(user, null), null);
        var device = http.Request.Headers[DeviceHeader].ToString();
        if (device.Length is >= 8 and <= 200) return (new AlertOwner(null, devices.Hash(device)), null);
        return (null, TypedResults.Problem($"Sign in, or send {DeviceHeader} (8–200 characters): alerts belong to an account or a device.",
            statusCode: StatusCodes.Status400BadRequest, title: "Who is asking?"));
    }

    /// <summary>The owner's stored row, or null (defaults apply). A device's row hangs on its newest push subscription.</summary>
    internal static async Task<AlertPreferences?> FindAsync(HaloDbContext db, AlertOwner owner, CancellationToken ct)
    {
        if (owner.UserId is { } user) return await db.Set<AlertPreferences>().FirstOrDefaultAsync(p => p.UserId == user, ct);
        var subscriptions = db.Set<PushSubscriptionRow>().Where(s => s.DeviceHash == owner.DeviceHash).Select(s => (Guid?)s.Id);
        return await db.Set<AlertPreferences>().Where(p => subscriptions.Contains(p.PushSubscriptionId))
            .OrderByDescending(p => p.UpdatedAt).FirstOrDefaultAsync(ct);
    }

    private static async Task<Results<Ok<AlertPreferencesDto>, ProblemHttpResult>> Get(HttpContext http, HaloDbContext db, DeviceIdentity devices, CancellationToken ct)
    {
        var (owner, error) = OwnerOf(http, devices);
        if (error is not null) return error;
        return TypedResults.Ok(ToDto(await FindAsync(db, owner!.Value, ct) ?? new AlertPreferences()));
    }

    private static async Task<Results<Ok<AlertPreferencesDto>, ValidationProblem, ProblemHttpResult>> Put(
        AlertPreferencesRequest? body, HttpContext http, HaloDbContext db, DeviceIdentity devices, TimeProvider clock, Geofence geofence,
        CancellationToken ct)
    {
        var (owner, error) = OwnerOf(http, devices);
        if (error is not null) return error;
        var v = new Validation();
        var parsed = Validate(body ?? new AlertPreferencesRequest(null, null, null, null, null, null), v);
        if (!v.IsValid) return TypedResults.ValidationProblem(v.Errors);

        var row = await FindAsync(db, owner!.Value, ct);
        if (row is null)
        {
            Guid? subscription = null;
            if (owner.Value.UserId is null)
            {
                subscription = await db.Set<PushSubscriptionRow>().Where(s => s.DeviceHash == owner.Value.DeviceHash)
                    .OrderByDescending(s => s.CreatedAt).Select(s => (Guid?)s.Id).FirstOrDefaultAsync(ct);
                if (subscription is null)
                    return TypedResults.Problem("An anonymous device keeps its alert preferences with its push subscription: register one first (POST /api/v1/push/subscriptions with this X-Device-Id).",
                        statusCode: StatusCodes.Status409Conflict, title: "No push subscription");
            }
            row = new AlertPreferences { Id = Guid.CreateVersion7(clock.GetUtcNow()), UserId = owner.Value.UserId, PushSubscriptionId = subscription };
            db.Add(row);
        }
        row.RadiusM = parsed.RadiusM;
        row.MinRiskLevel = parsed.MinRiskLevel;
        row.Categories = parsed.Categories is { Count: > 0 } c ? string.Join(',', c) : null;
        row.QuietFrom = parsed.QuietHours?.From;
        row.QuietTo = parsed.QuietHours?.To;
        row.Language = parsed.Language;
        row.WatchedPlacesJson = JsonSerializer.Serialize(parsed.WatchedPlaces, Json);
        row.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(ct);
        geofence.PlacesChanged();
        return TypedResults.Ok(ToDto(row));
    }

    private static async Task<Results<Ok<PositionResponse>, ValidationProblem, ProblemHttpResult>> Position(
        PositionRequest? body, HttpContext http, HaloDbContext db, DeviceIdentity devices, Geofence geofence, CancellationToken ct)
    {
        var (owner, error) = OwnerOf(http, devices);
        if (error is not null) return error;
        var v = new Validation();
        if (body?.Latitude is null) v.Add("latitude", "Is required.");
        if (body?.Longitude is null) v.Add("longitude", "Is required.");
        var lat = v.Range("latitude", body?.Latitude, -90, 90);
        var lon = v.Range("longitude", body?.Longitude, -180, 180);
        v.Range("accuracy_m", body?.AccuracyM, 0, 100_000);
        if (!v.IsValid) return TypedResults.ValidationProblem(v.Errors);
        var prefs = ToDto(await FindAsync(db, owner!.Value, ct) ?? new AlertPreferences());
        var alerts = await geofence.OnPositionAsync(owner.Value, prefs, lat!.Value, lon!.Value, ct);
        return TypedResults.Ok(new PositionResponse(alerts));
    }

    private static Results<NoContent, ProblemHttpResult> ForgetPosition(HttpContext http, DeviceIdentity devices, Geofence geofence)
    {
        var (owner, error) = OwnerOf(http, devices);
        if (error is not null) return error;
        geofence.Forget(owner!.Value);
        return TypedResults.NoContent();
    }

    internal static AlertPreferencesDto Validate(AlertPreferencesRequest b, Validation v)
    {
        var radius = b.RadiusM ?? AlertDefaults.RadiusM;
        if (radius is < AlertDefaults.MinRadiusM or > AlertDefaults.MaxRadiusM)
            v.Add("radius_m", $"Must be between {AlertDefaults.MinRadiusM} and {AlertDefaults.MaxRadiusM} metres.");
        var level = (b.MinRiskLevel ?? AlertDefaults.MinRiskLevel).Trim().ToLowerInvariant();
        if (!AlertDefaults.RiskLevels.Contains(level)) v.Add("min_risk_level", $"Must be one of {string.Join(", ", AlertDefaults.RiskLevels)}.");
        var categories = b.Categories?.Select(c => c?.Trim().ToLowerInvariant() ?? "").Distinct().ToList();
        foreach (var c in categories ?? [])
            if (!HaloTaxonomy.IsKnown(c)) v.Add("categories", $"Unknown category '{c}'. Known: {string.Join(", ", HaloTaxonomy.Categories.Select(x => x.Code))}.");
        QuietHoursDto? quiet = null;
        if (b.QuietHours is { } q)
        {
            if (!QuietHours.TryParse(q.From, out _)) v.Add("quiet_hours.from", "Must be a local time HH:mm (00:00–23:59).");
            if (!QuietHours.TryParse(q.To, out _)) v.Add("quiet_hours.to", "Must be a local time HH:mm (00:00–23:59).");
            if (q.From == q.To) v.Add("quiet_hours", "From and to must differ (omit quiet_hours for none).");
            quiet = q;
        }
        var language = (b.Language ?? AlertDefaults.Language).Trim().ToLowerInvariant();
        if (!AlertDefaults.Languages.Contains(language)) v.Add("language", "Must be sv or en.");
        var places = b.WatchedPlaces ?? [];
        if (places.Count > AlertDefaults.MaxWatchedPlaces) v.Add("watched_places", $"At most {AlertDefaults.MaxWatchedPlaces} places.");
        for (var i = 0; i < places.Count; i++)
        {
            var p = places[i];
            if (p is null) { v.Add($"watched_places[{i}]", "Must be an object."); continue; }
            if (string.IsNullOrWhiteSpace(p.Name) || p.Name.Length > 100) v.Add($"watched_places[{i}].name", "Is required, at most 100 characters.");
            if (p.Latitude is < -90 or > 90 || !double.IsFinite(p.Latitude)) v.Add($"watched_places[{i}].latitude", "Must be within −90…90.");
            if (p.Longitude is < -180 or > 180 || !double.IsFinite(p.Longitude)) v.Add($"watched_places[{i}].longitude", "Must be within −180…180.");
            if (p.RadiusM is < AlertDefaults.MinRadiusM or > AlertDefaults.MaxRadiusM)
                v.Add($"watched_places[{i}].radius_m", $"Must be between {AlertDefaults.MinRadiusM} and {AlertDefaults.MaxRadiusM} metres.");
        }
        return new AlertPreferencesDto(radius, level, categories, quiet, language,
            places.Where(p => p is not null).Select(p => p with { Name = p.Name?.Trim() ?? "" }).ToList());
    }

    internal static AlertPreferencesDto ToDto(AlertPreferences p) => new(
        p.RadiusM, p.MinRiskLevel, p.Categories?.Split(',', StringSplitOptions.RemoveEmptyEntries),
        p.QuietFrom is not null && p.QuietTo is not null ? new QuietHoursDto(p.QuietFrom, p.QuietTo) : null,
        p.Language, JsonSerializer.Deserialize<List<WatchedPlaceDto>>(p.WatchedPlacesJson, Json) ?? []);
}

/// <summary>Quiet hours on the owner's local clock; a range may wrap midnight.</summary>
public static class QuietHours
{
    public static bool TryParse(string? text, out TimeOnly time) =>
        TimeOnly.TryParseExact(text, "HH:mm", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out time);

    public static bool IsQuiet(QuietHoursDto? quiet, DateTime utcNow, TimeZoneInfo zone)
    {
        if (quiet is null || !TryParse(quiet.From, out var from) || !TryParse(quiet.To, out var to)) return false;
        var local = TimeOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(utcNow, zone));
        return from < to ? local >= from && local < to : local >= from || local < to;
    }
}
