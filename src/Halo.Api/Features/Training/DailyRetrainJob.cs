using Quartz;

namespace Halo.Api.Features.Training;

/// <summary>The daily retrain (Quartz cron, 02:00 UTC by default): the same job as the admin trigger.</summary>
[DisallowConcurrentExecution]
public sealed class DailyRetrainJob(RetrainJobs jobs, Live.JobClaims claims, ILogger<DailyRetrainJob> logger) : IJob
{
    public static readonly JobKey Key = new("daily-retrain", "training");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        // Several instances fire this trigger; one runs it (ADR 6).
        if (!await claims.TryClaimAsync(context, cancellationToken)) return;
        var (job, started) = jobs.Trigger("schedule");
        if (!started) logger.LogInformation("A retrain job ({Job}) is already running; the scheduled run joins it", job.Id);
        await job.Completion.WaitAsync(cancellationToken);
    }
}
