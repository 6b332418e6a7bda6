using Halo.Api.Infrastructure;
using Halo.Api.Features.Predictions;
using Quartz;

namespace Halo.Api.Features.Training;

public static class TrainingRegistration
{
    public static WebApplicationBuilder AddTraining(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<RetrainJobs>();
        var options = builder.Configuration.GetSection(PredictionOptions.Section).Get<PredictionOptions>() ?? new PredictionOptions();
        if (!options.DailyRetrainEnabled) return builder;
        if (!CronExpression.TryParse(options.RetrainCron, out _))
            throw new InvalidOperationException($"Predictions:RetrainCron '{options.RetrainCron}' is not a valid Quartz cron expression.");
        builder.Services.AddScheduledJobs(q =>
        {
            q.AddJob<DailyRetrainJob>(j => j.WithIdentity(DailyRetrainJob.Key));
            q.AddTrigger(t => t.ForJob(DailyRetrainJob.Key).WithIdentity("daily-retrain-trigger", "training")
                .WithCronSchedule(options.RetrainCron, c => c.InTimeZone(TimeZoneInfo.Utc)));
        });
        return builder;
    }
}
