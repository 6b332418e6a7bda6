// Wire DTOs of /api/v1/me/alerts and /api/v1/me/position (snake_case). Records only, so the app can share this file.
namespace Halo.Api.Features.Alerts;

/// <summary>Quiet hours, local time "HH:mm" (Alerts:TimeZone, Europe/Stockholm); may wrap midnight (22:00–07:00).</summary>
public sealed record QuietHoursDto(string From, string To);

/// <summary>A watched place (home, work): alerts for verified incidents within its radius (50–5,000 m).</summary>
public sealed record WatchedPlaceDto(string Name, double Latitude, double Longitude, int RadiusM);

/// <summary>
/// Alert preferences. <c>radius_m</c> (50–5,000, default 500) is around the posted position; <c>min_risk_level</c> is
/// low|medium|high|critical (default high); <c>categories</c> null or empty = every category.
/// </summary>
public sealed record AlertPreferencesDto(
    int RadiusM,
    string MinRiskLevel,
    IReadOnlyList<string>? Categories,
    QuietHoursDto? QuietHours,
    string Language,
    IReadOnlyList<WatchedPlaceDto> WatchedPlaces);

/// <summary>PUT body: every field optional; a missing one takes its default (PUT replaces the whole set).</summary>
public sealed record AlertPreferencesRequest(
    int? RadiusM,
    string? MinRiskLevel,
    IReadOnlyList<string>? Categories,
    QuietHoursDto? QuietHours,
    string? Language,
    IReadOnlyList<WatchedPlaceDto>? WatchedPlaces);

/// <summary>POST /api/v1/me/position body. Kept in memory only, never stored, never logged.</summary>
public sealed record PositionRequest(double? Latitude, double? Longitude, double? AccuracyM);

/// <summary>What the position raised right now (also sent as <c>alert</c> messages and pushes).</summary>
public sealed record PositionResponse(IReadOnlyList<Live.LiveAlert> Alerts);
