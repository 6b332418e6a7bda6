using System.Linq.Expressions;
using Halo.Api.Features.Geo;

namespace Halo.Api.Features.Incidents;

/// <summary>Entity → wire mapping, kept apart from the DTOs so those stay shareable with the client.</summary>
public static class IncidentMapping
{
    /// <summary>The one mapping: run in SQL by EF Core for lists, compiled for single rows.</summary>
    public static readonly Expression<Func<Incident, IncidentDto>> Projection = i => new IncidentDto(
        i.Id, i.Source, i.ExternalId, i.RawType, i.Category, i.Severity, i.IsIncident, i.Title, i.Summary,
        i.OccurredAt, i.PublishedAt, i.Latitude, i.Longitude, i.LocationName, i.LocationPrecisionM,
        GeoCells.Format(i.H3Res9), GeoCells.Format(i.H3Res7), i.Status, i.IsVerified, i.SourceUrl,
        i.CreatedAt, i.UpdatedAt, null);

    private static readonly Func<Incident, IncidentDto> Compiled = Projection.Compile();

    public static IncidentDto ToDto(this Incident i, double? distanceM = null) =>
        Compiled(i) with { DistanceM = distanceM is null ? null : Math.Round(distanceM.Value, 1) };
}
