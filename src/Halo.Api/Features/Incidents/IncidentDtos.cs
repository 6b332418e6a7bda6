// Wire DTOs only: no references to entities or server services, so the client can share this file's source.
namespace Halo.Api.Features.Incidents;

public sealed record IncidentDto(
    Guid Id,
    string Source,
    string? ExternalId,
    string RawType,
    string Category,
    int Severity,
    bool IsIncident,
    string Title,
    string? Summary,
    DateTime OccurredAt,
    DateTime? PublishedAt,
    double Latitude,
    double Longitude,
    string? LocationName,
    double LocationPrecisionM,
    string H3Res9,
    string H3Res7,
    string Status,
    bool IsVerified,
    string? SourceUrl,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    double? DistanceM = null);

public sealed record IncidentPage(IReadOnlyList<IncidentDto> Items, int Count, string? NextCursor);

public sealed record NearbyResult(IReadOnlyList<IncidentDto> Items, int Count, double Latitude, double Longitude, double RadiusKm);

/// <summary>A citizen incident posted directly (reports with clustering go through /api/v1/reports/submit).</summary>
public sealed record CreateIncidentRequest(
    string? Category,
    int? Severity,
    string? Title,
    string? Description,
    DateTime? OccurredAt,
    double? Latitude,
    double? Longitude,
    string? LocationName,
    double? AccuracyM);

public sealed record UpdateIncidentRequest(string? Category, int? Severity, string? Title, string? Description);

public sealed record IncidentStats(
    int Total,
    int NonIncidents,
    IReadOnlyDictionary<string, int> ByCategory,
    IReadOnlyDictionary<string, int> BySeverity,
    IReadOnlyDictionary<string, int> BySource,
    int Last24h,
    int Last7d,
    int Last30d,
    DateTime? NewestOccurredAt,
    DateTime ComputedAt);
