using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Halo.Api.Features.Moderation;

/// <summary>The audit log: one row per moderator decision, never updated or deleted.</summary>
public sealed class ModerationAction
{
    public Guid Id { get; set; }
    public Guid IncidentId { get; set; }

    /// <summary><c>verify</c>, <c>reject</c> or <c>merge</c>.</summary>
    public required string Action { get; set; }

    /// <summary>Who did it: the signed-in moderator's user id.</summary>
    public required string Actor { get; set; }

    public required string Reason { get; set; }

    /// <summary>For a merge: the cluster the reports moved into.</summary>
    public Guid? TargetIncidentId { get; set; }

    public required string PreviousStatus { get; set; }
    public required string NewStatus { get; set; }
    public int ReportsMoved { get; set; }
    public DateTime At { get; set; }
}

public static class ModerationActions
{
    public const string Verify = "verify";
    public const string Reject = "reject";
    public const string Merge = "merge";
}

internal sealed class ModerationActionConfiguration : IEntityTypeConfiguration<ModerationAction>
{
    public void Configure(EntityTypeBuilder<ModerationAction> a)
    {
        a.ToTable("moderation_actions");
        a.HasKey(x => x.Id);
        a.Property(x => x.Action).HasMaxLength(16);
        a.Property(x => x.Actor).HasMaxLength(128);
        a.Property(x => x.Reason).HasMaxLength(2000);
        a.Property(x => x.PreviousStatus).HasMaxLength(32);
        a.Property(x => x.NewStatus).HasMaxLength(32);
        a.HasIndex(x => new { x.IncidentId, x.At });
        a.HasIndex(x => x.At);
    }
}
