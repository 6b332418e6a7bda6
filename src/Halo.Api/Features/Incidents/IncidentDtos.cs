using Halo.Api.Features.Geo;

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
    double? DistanceM = null)
{
    /// <summary>The same mapping as <see cref="From"/>, as an expression EF Core can run in SQL.</summary>
    public static readonly System.Linq.Expressions.Expression<Func<Incident, IncidentDto>> Projection = i => new IncidentDto(
        i.Id, i.Source, i.ExternalId, i.RawType, i.Category, i.Severity, i.IsIncident, i.Title, i.Summary,
        i.OccurredAt, i.PublishedAt, i.Latitude, i.Longitude, i.LocationName, i.LocationPrecisionM,
        GeoCells.Format(i.H3Res9), GeoCells.Format(i.H3Res7), i.Status, i.IsVerified, i.SourceUrl,
        i.CreatedAt, i.UpdatedAt, null);

    public static IncidentDto From(Incident i, double? distanceM = null) => new(
        i.Id, i.Source, i.ExternalId, i.RawType, i.Category, i.Severity, i.IsIncident, i.Title, i.Summary,
        i.OccurredAt, i.PublishedAt, i.Latitude, i.Longitude, i.LocationName, i.LocationPrecisionM,
        GeoCells.Format(i.H3Res9), GeoCells.Format(i.H3Res7), i.Status, i.IsVerified, i.SourceUrl,
        i.CreatedAt, i.UpdatedAt, distanceM is null ? null : Math.Round(distanceM.Value, 1));
}

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
