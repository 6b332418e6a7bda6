using Halo.Api.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Halo.Api.Features.Audit;

/// <summary>
/// Halo's one audit log: who did what to which row, and why — role changes, account and incident deletions, moderation
/// decisions. Rows are only ever added, in the same transaction as the change they describe.
/// </summary>
public sealed class AuditEntry
{
    public Guid Id { get; set; }
    public DateTime At { get; set; }
    /// <summary>The acting user's id, or "system" for jobs.</summary>
    public required string Actor { get; set; }
    public required string Action { get; set; }
    public required string EntityType { get; set; }
    public required string EntityId { get; set; }
    /// <summary>A second row the action involved, e.g. the cluster a merge moved reports into.</summary>
    public string? RelatedEntityId { get; set; }
    public string? Reason { get; set; }
    /// <summary>The state before and after, e.g. a cluster's status or a user's role.</summary>
    public string? Before { get; set; }
    public string? After { get; set; }
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
        b.Property(a => a.RelatedEntityId).HasMaxLength(64);
        b.Property(a => a.Reason).HasMaxLength(2000);
        b.Property(a => a.Before).HasMaxLength(64);
        b.Property(a => a.After).HasMaxLength(64);
        b.Property(a => a.Details).HasMaxLength(4000);
        b.HasIndex(a => new { a.EntityType, a.EntityId });
        b.HasIndex(a => a.RelatedEntityId);
        b.HasIndex(a => a.At);
    }
}

public static class AuditLog
{
    /// <summary>Adds an entry to the context; it is saved with the change it describes, in the same transaction.</summary>
    public static AuditEntry Record(HaloDbContext db, DateTime at, string actor, string action, string entityType, string entityId,
        string? reason = null, string? details = null, string? relatedEntityId = null, string? before = null, string? after = null)
    {
        var entry = new AuditEntry
        {
            Id = Guid.CreateVersion7(at), At = at, Actor = actor, Action = action, EntityType = entityType, EntityId = entityId,
            RelatedEntityId = relatedEntityId, Reason = reason, Before = before, After = after, Details = details,
        };
        db.Set<AuditEntry>().Add(entry);
        return entry;
    }

    public static AuditEntryDto ToDto(this AuditEntry a) =>
        new(a.Id, a.At, a.Actor, a.Action, a.EntityType, a.EntityId, a.RelatedEntityId, a.Reason, a.Before, a.After, a.Details);
}
