using Halo.Api.Infrastructure;
using Quartz;

namespace Halo.Api.Features.Training;

public static class TrainingRegistration
{
    public static WebApplicationBuilder AddTraining(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<RetrainJobs>();
        builder.Services.AddOptions<TrainingOptions>().Bind(builder.Configuration.GetSection(TrainingOptions.Section))
            .ValidateDataAnnotations()
            .Validate(o => !o.DailyRetrainEnabled || CronExpression.TryParse(o.RetrainCron, out _),
                "Training:RetrainCron is not a valid Quartz cron expression (seconds first, e.g. \"0 0 2 * * ?\" for 02:00 UTC daily).")
            .ValidateOnStart();
        var options = builder.Configuration.GetSection(TrainingOptions.Section).Get<TrainingOptions>() ?? new TrainingOptions();
        // A bad expression is reported by the validation above when the host starts, not scheduled here.
        if (!options.DailyRetrainEnabled || !CronExpression.TryParse(options.RetrainCron, out var cron)) return builder;
        builder.Services.AddScheduledJobs(q =>
        {
            q.AddJob<DailyRetrainJob>(j => j.WithIdentity(DailyRetrainJob.Key));
            q.AddTrigger(t => t.ForJob(DailyRetrainJob.Key).WithIdentity("daily-retrain-trigger", "training")
                .WithCronSchedule(cron, c => c.InTimeZone(TimeZoneInfo.Utc)));
        });
        return builder;
    }
}
