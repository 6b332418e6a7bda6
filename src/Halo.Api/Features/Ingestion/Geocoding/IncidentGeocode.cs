using Halo.Api.Features.Incidents;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Halo.Api.Features.Ingestion.Geocoding;

/// <summary>
/// One attempt to refine a coarse police position from its summary. Keeps the original area point and radius, so a
/// refinement can be audited or undone; the incident row itself carries the position in use.
/// </summary>
public sealed class IncidentGeocode
{
    public Guid IncidentId { get; set; }
    public required string Outcome { get; set; }
    public double OriginalLatitude { get; set; }
    public double OriginalLongitude { get; set; }
    public double OriginalPrecisionM { get; set; }
    public double? RefinedLatitude { get; set; }
    public double? RefinedLongitude { get; set; }
    public double? RefinedPrecisionM { get; set; }
    public string? Query { get; set; }
    public string? MatchedName { get; set; }
    public DateTime AttemptedAt { get; set; }
}

public static class GeocodeOutcome
{
    public const string Refined = "refined";
    public const string NoCandidate = "no_candidate";
    public const string NotFound = "not_found";
    public const string UnknownArea = "unknown_area";
}

internal sealed class IncidentGeocodeConfiguration : IEntityTypeConfiguration<IncidentGeocode>
{
    public void Configure(EntityTypeBuilder<IncidentGeocode> g)
    {
        g.ToTable("incident_geocodes");
        g.HasKey(x => x.IncidentId);
        g.Property(x => x.Outcome).HasMaxLength(32);
        g.Property(x => x.Query).HasMaxLength(300);
        g.Property(x => x.MatchedName).HasMaxLength(500);
        g.HasOne<Incident>().WithOne().HasForeignKey<IncidentGeocode>(x => x.IncidentId).OnDelete(DeleteBehavior.Cascade);
    }
}
