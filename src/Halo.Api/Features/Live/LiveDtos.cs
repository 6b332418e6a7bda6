// Wire DTOs of the live hub (/hubs/live), snake_case on the wire. Records only, so the app can share this file.
namespace Halo.Api.Features.Live;

/// <summary>The box a client watches (degrees, WGS84). Sent with the hub method <c>Subscribe</c>.</summary>
public sealed record LiveArea(double MinLat, double MinLon, double MaxLat, double MaxLon);

/// <summary>
/// What <c>Subscribe</c> answers: the H3 resolution chosen, the cells (hex) now joined, and the box they cover: the one
/// asked for, or its middle when that was too large (<paramref name="Partial"/>).
/// </summary>
public sealed record LiveSubscription(int Resolution, IReadOnlyList<string> Cells, bool Partial, LiveArea Watched);

/// <summary>Message <c>cluster_updated</c>: a citizen cluster's counts and verification.</summary>
public sealed record LiveClusterUpdate(
    Guid IncidentId,
    Guid? OfficialIncidentId,
    int ReportCount,
    int UniqueReporters,
    double ClusterConfidence,
    string Verification,
    bool IsVerified,
    bool HasMedia,
    DateTime UpdatedAt);

/// <summary>Message <c>predictions_updated</c>: a new forecast is being served; refetch the hotspots.</summary>
public sealed record LivePredictionsUpdate(string ModelVersion, DateTime ComputedAt);

/// <summary>Message <c>alert</c>: a personal alert (only to that user's or device's own connections).</summary>
public sealed record LiveAlert(
    string Id,
    string Type,
    string Title,
    string Body,
    string? Category,
    int? Severity,
    Guid? IncidentId,
    string? Cell,
    string? RiskLevel,
    double? DistanceM,
    string? Place,
    DateTime CreatedAt);
