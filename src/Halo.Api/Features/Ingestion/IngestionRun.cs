using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Halo.Api.Features.Ingestion;

/// <summary>One run of the police poller (scheduled or triggered): what it fetched and how it ended.</summary>
public sealed class IngestionRun
{
    public Guid Id { get; set; }
    public required string Source { get; set; }

    /// <summary><c>schedule</c> or <c>manual</c>.</summary>
    public required string Trigger { get; set; }

    public DateTime StartedAt { get; set; }
    public DateTime? FinishedAt { get; set; }
    public bool Succeeded { get; set; }
    public int Fetched { get; set; }
    public int New { get; set; }
    public int Updated { get; set; }
    public int Unchanged { get; set; }
    public int Rejected { get; set; }

    /// <summary>Why the run failed (HTTP status, timeout, invalid JSON…); null when it succeeded.</summary>
    public string? Error { get; set; }

    public int? HttpStatus { get; set; }

    /// <summary>Publication time of the newest event fetched.</summary>
    public DateTime? NewestEventAt { get; set; }

    /// <summary>Seconds between the newest event's publication and the end of the run: how far behind the feed we are.</summary>
    public double? LagSeconds { get; set; }
}

public static class IngestionTriggers
{
    public const string Schedule = "schedule";
    public const string Manual = "manual";
}

internal sealed class IngestionRunConfiguration : IEntityTypeConfiguration<IngestionRun>
{
    public void Configure(EntityTypeBuilder<IngestionRun> run)
    {
        run.ToTable("ingestion_runs");
        run.HasKey(r => r.Id);
        run.Property(r => r.Source).HasMaxLength(64);
        run.Property(r => r.Trigger).HasMaxLength(16);
        run.Property(r => r.Error).HasMaxLength(2000);
        run.HasIndex(r => new { r.Source, r.StartedAt });
    }
}
