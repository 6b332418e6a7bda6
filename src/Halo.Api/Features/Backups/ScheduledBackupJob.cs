using Quartz;

namespace Halo.Api.Features.Backups;

/// <summary>The scheduled backup (Quartz cron, 03:30 UTC daily by default), with retention.</summary>
[DisallowConcurrentExecution]
public sealed class ScheduledBackupJob(BackupService backups, Live.JobClaims claims, ILogger<ScheduledBackupJob> logger) : IJob
{
    public static readonly JobKey Key = new("scheduled-backup", "backups");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        // Several instances fire this trigger; one takes the backup (ADR 6).
        if (!await claims.TryClaimAsync(context, cancellationToken)) return;
        try
        {
            await backups.RunScheduledAsync(cancellationToken);
        }
        catch (BackupException ex)
        {
            logger.LogError(ex, "The scheduled backup failed: {Reason}", ex.Message);
        }
    }
}
