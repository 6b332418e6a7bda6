using Halo.Api.Features.Incidents;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Halo.Api.Features.Reports;

/// <summary>
/// One citizen report. It belongs to exactly one citizen cluster (<see cref="IncidentId"/>, an <see cref="Incident"/>
/// row with Source=citizen) and, separately, may have matched an official incident (<see cref="MatchedOfficialIncidentId"/>).
/// The two ids are never interchangeable: the cluster is where the report is counted, the official incident is what it confirms.
/// </summary>
public sealed class CitizenReport
{
    public Guid Id { get; set; }

    /// <summary>The citizen cluster (Incident, Source=citizen) this report is counted in.</summary>
    public Guid IncidentId { get; set; }

    /// <summary>The official incident this report scored above the official threshold against, or null.</summary>
    public Guid? MatchedOfficialIncidentId { get; set; }

    /// <summary>HMAC-SHA256 of the device id with the server key (hex); null once anonymised. The raw id is never stored.</summary>
    public string? DeviceHash { get; set; }

    /// <summary>Short public reporter id, different in every cluster for the same device; null once anonymised.</summary>
    public string? ReporterId { get; set; }

    /// <summary>Set when a signed-in user submitted it (auth feature).</summary>
    public string? UserId { get; set; }

    /// <summary>HMAC of the client's network (IPv4 /24, IPv6 /48); null once anonymised or for reports stored before it was kept.</summary>
    public string? NetworkHash { get; set; }

    /// <summary>
    /// Whether this report added a witness to its cluster: false when a report from the same device, account or network
    /// was already there. Only witnesses vote for the cluster's public cell.
    /// </summary>
    public bool CountsAsWitness { get; set; } = true;

    public required string Category { get; set; }

    /// <summary>The reporter's severity (1–5), when the form sent one.</summary>
    public int? Severity { get; set; }

    public string? AiCategory { get; set; }
    public double? AiConfidence { get; set; }
    public string? AiModelVersion { get; set; }

    /// <summary>Exact reported position; null once anonymised (the resolution-9 cell stays).</summary>
    public double? Latitude { get; set; }
    public double? Longitude { get; set; }
    public double? AccuracyM { get; set; }
    public long H3Res9 { get; set; }

    public DateTime OccurredAt { get; set; }
    public DateTime SubmittedAt { get; set; }
    public string? Description { get; set; }

    /// <summary>Sensor summary as JSON (<see cref="SensorSummary"/>); never the raw GPS track.</summary>
    public string? SensorsJson { get; set; }

    public int MediaCount { get; set; }

    /// <summary>The clustering score against the cluster or official incident it joined (null for a new cluster).</summary>
    public double? MatchScore { get; set; }

    public DateTime? AnonymisedAt { get; set; }
}

internal sealed class CitizenReportConfiguration : IEntityTypeConfiguration<CitizenReport>
{
    public void Configure(EntityTypeBuilder<CitizenReport> r)
    {
        r.ToTable("citizen_reports");
        r.HasKey(x => x.Id);
        r.Property(x => x.DeviceHash).HasMaxLength(64);
        r.Property(x => x.ReporterId).HasMaxLength(16);
        r.Property(x => x.UserId).HasMaxLength(128);
        r.Property(x => x.NetworkHash).HasMaxLength(64);
        r.Property(x => x.Category).HasMaxLength(32);
        r.Property(x => x.AiCategory).HasMaxLength(32);
        r.Property(x => x.AiModelVersion).HasMaxLength(64);
        r.Property(x => x.Description).HasMaxLength(10_000);
        r.Property(x => x.SensorsJson).HasMaxLength(4_000);
        r.HasOne<Incident>().WithMany().HasForeignKey(x => x.IncidentId).OnDelete(DeleteBehavior.Restrict);
        r.HasOne<Incident>().WithMany().HasForeignKey(x => x.MatchedOfficialIncidentId).OnDelete(DeleteBehavior.SetNull);
        // One report per device per cluster, enforced by the database too (NULLs, i.e. anonymised rows, never collide).
        r.HasIndex(x => new { x.IncidentId, x.DeviceHash }).IsUnique();
        r.HasIndex(x => x.MatchedOfficialIncidentId);
        r.HasIndex(x => x.SubmittedAt);
    }
}

/// <summary>
/// Cluster bookkeeping beside the cluster's <see cref="Incident"/> row: exact counters, the exact centroid used for
/// clustering (private: the incident row shows only the published cell, <see cref="PublicPosition"/>) and the official link.
/// </summary>
public sealed class ReportCluster
{
    /// <summary>The citizen incident this cluster is (same id).</summary>
    public Guid IncidentId { get; set; }

    /// <summary>The official incident this cluster corroborates; at most one cluster per official incident.</summary>
    public Guid? OfficialIncidentId { get; set; }

    public int ReportCount { get; set; }

    /// <summary>Independent witnesses: reports sharing a device, account or network count once (<see cref="ClusterState.Witnesses"/>).</summary>
    public int UniqueReporters { get; set; }
    public double CentroidLatitude { get; set; }
    public double CentroidLongitude { get; set; }
    public bool HasMedia { get; set; }

    /// <summary>A moderator verified it (counts as corroborated even with a single reporter).</summary>
    public bool ModeratorVerified { get; set; }

    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

internal sealed class ReportClusterConfiguration : IEntityTypeConfiguration<ReportCluster>
{
    /// <summary>EF's name for the centroid index below (named in SQLite query hints).</summary>
    public const string CentroidIndex = "IX_report_clusters_CentroidLatitude_CentroidLongitude";

    public void Configure(EntityTypeBuilder<ReportCluster> c)
    {
        c.ToTable("report_clusters");
        c.HasKey(x => x.IncidentId);
        c.HasOne<Incident>().WithOne().HasForeignKey<ReportCluster>(x => x.IncidentId).OnDelete(DeleteBehavior.Cascade);
        c.HasOne<Incident>().WithMany().HasForeignKey(x => x.OfficialIncidentId).OnDelete(DeleteBehavior.SetNull);
        c.HasIndex(x => x.OfficialIncidentId).IsUnique();
        c.HasIndex(x => new { x.CentroidLatitude, x.CentroidLongitude });
    }
}
