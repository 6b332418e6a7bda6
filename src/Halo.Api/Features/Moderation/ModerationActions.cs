namespace Halo.Api.Features.Moderation;

public static class ModerationActions
{
    public const string Verify = "verify";
    public const string Reject = "reject";
    public const string Merge = "merge";
    public const string ViewPositions = "view_positions";

    /// <summary>Moderation decisions are recorded in the audit log as <c>moderation.verify</c> etc.</summary>
    public const string AuditPrefix = "moderation.";
}
