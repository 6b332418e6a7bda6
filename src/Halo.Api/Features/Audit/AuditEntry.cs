using Halo.Api.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Halo.Api.Features.Audit;

/// <summary>Who did what to which row, and why: role changes, deletions, moderation decisions.</summary>
public sealed class AuditEntry
{
    public Guid Id { get; set; }
    public DateTime At { get; set; }
    /// <summary>The acting user's id, or "system" for jobs.</summary>
    public required string Actor { get; set; }
    public required string Action { get; set; }
    public required string EntityType { get; set; }
    public required string EntityId { get; set; }
    public string? Reason { get; set; }
    /// <summary>Small JSON with before/after values where useful.</summary>
    public string? Details { get; set; }
}

internal sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> b)
    {
        b.ToTable("audit_log");
        b.HasKey(a => a.Id);
        b.Property(a => a.Actor).HasMaxLength(64);
        b.Property(a => a.Action).HasMaxLength(64);
        b.Property(a => a.EntityType).HasMaxLength(64);
        b.Property(a => a.EntityId).HasMaxLength(64);
        b.Property(a => a.Reason).HasMaxLength(1000);
        b.Property(a => a.Details).HasMaxLength(4000);
        b.HasIndex(a => new { a.EntityType, a.EntityId });
        b.HasIndex(a => a.At);
    }
}

public static class AuditLog
{
    /// <summary>Adds an entry to the context; it is saved with the change it describes, in the same transaction.</summary>
    public static void Record(HaloDbContext db, DateTime at, string actor, string action, string entityType, string entityId,
        string? reason = null, string? details = null) =>
        db.Set<AuditEntry>().Add(new AuditEntry
        {
            Id = Guid.NewGuid(), At = at, Actor = actor, Action = action, EntityType = entityType, EntityId = entityId,
            Reason = reason, Details = details,
        });
}
