using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Halo.Api.Features.Incidents;

internal sealed class IncidentConfiguration : IEntityTypeConfiguration<Incident>
{
    public const string TimePositionIndex = "ix_incidents_time_position";

    public void Configure(EntityTypeBuilder<Incident> incident)
    {
        incident.ToTable("incidents");
        incident.HasKey(i => i.Id);
        incident.Property(i => i.Source).HasMaxLength(64);
        incident.Property(i => i.ExternalId).HasMaxLength(128);
        incident.Property(i => i.RawType).HasMaxLength(200);
        incident.Property(i => i.Category).HasMaxLength(32);
        incident.Property(i => i.CategoryInferredBy).HasMaxLength(32);
        incident.Property(i => i.Title).HasMaxLength(500);
        incident.Property(i => i.Summary).HasMaxLength(10_000);
        incident.Property(i => i.LocationName).HasMaxLength(200);
        incident.Property(i => i.Status).HasMaxLength(32);
        incident.Property(i => i.SourceUrl).HasMaxLength(1000);
        incident.HasIndex(i => new { i.Source, i.ExternalId }).IsUnique();
        incident.HasIndex(i => i.H3Res9);
        incident.HasIndex(i => i.H3Res7);
        // Keyset pagination orders by (occurred_at desc, id desc). Position columns ride along so a newest-first scan
        // can test a bbox from the index alone (IncidentSearch forces this index on SQLite for dense areas).
        incident.HasIndex(i => new { i.OccurredAt, i.Id, i.Latitude, i.Longitude }).HasDatabaseName(TimePositionIndex);
        incident.HasIndex(i => new { i.Latitude, i.Longitude });
        incident.HasIndex(i => i.Category);
        // Nearly always null: the ingestion status finds the few flagged rows without a scan.
        incident.HasIndex(i => i.CategoryInferredBy);
        incident.HasIndex(i => i.CreatedByUserId);
    }
}
