using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Halo.Api.Features.Incidents;

internal sealed class IncidentConfiguration : IEntityTypeConfiguration<Incident>
{
    public void Configure(EntityTypeBuilder<Incident> incident)
    {
        incident.ToTable("incidents");
        incident.HasKey(i => i.Id);
        incident.Property(i => i.Source).HasMaxLength(64);
        incident.Property(i => i.ExternalId).HasMaxLength(128);
        incident.Property(i => i.RawType).HasMaxLength(200);
        incident.Property(i => i.Category).HasMaxLength(32);
        incident.Property(i => i.Title).HasMaxLength(500);
        incident.Property(i => i.Summary).HasMaxLength(10_000);
        incident.Property(i => i.LocationName).HasMaxLength(200);
        incident.Property(i => i.Status).HasMaxLength(32);
        incident.Property(i => i.SourceUrl).HasMaxLength(1000);
        incident.HasIndex(i => new { i.Source, i.ExternalId }).IsUnique();
        incident.HasIndex(i => i.H3Res9);
        incident.HasIndex(i => i.H3Res7);
        // Keyset pagination orders by (occurred_at desc, id desc); bbox prefilter scans latitude.
        incident.HasIndex(i => new { i.OccurredAt, i.Id });
        incident.HasIndex(i => new { i.Latitude, i.Longitude });
        incident.HasIndex(i => i.Category);
    }
}
