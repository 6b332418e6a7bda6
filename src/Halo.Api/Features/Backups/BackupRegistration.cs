using Halo.Api.Infrastructure;
using Quartz;

namespace Halo.Api.Features.Backups;

public static class BackupRegistration
{
    public static WebApplicationBuilder AddBackups(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<BackupOptions>().Bind(builder.Configuration.GetSection(BackupOptions.Section))
            .ValidateDataAnnotations()
            .Validate(o => !o.ScheduleEnabled || CronExpression.TryParse(o.Cron, out _),
                "Backups:Cron is not a valid Quartz cron expression (seconds first, e.g. \"0 30 3 * * ?\" for 03:30 UTC daily).")
            .ValidateOnStart();
        builder.Services.AddSingleton(_ => BackupTarget.From(builder.Configuration));
        builder.Services.AddSingleton<BackupService>();
        var options = builder.Configuration.GetSection(BackupOptions.Section).Get<BackupOptions>() ?? new BackupOptions();
        // A bad expression is reported by the validation above when the host starts, not scheduled here.
        if (!options.ScheduleEnabled || !CronExpression.TryParse(options.Cron, out var cron)) return builder;
        builder.Services.AddScheduledJobs(q =>
        {
            q.AddJob<ScheduledBackupJob>(j => j.WithIdentity(ScheduledBackupJob.Key));
            q.AddTrigger(t => t.ForJob(ScheduledBackupJob.Key).WithIdentity("scheduled-backup-trigger", "backups")
                .WithCronSchedule(cron, c => c.InTimeZone(TimeZoneInfo.Utc)));
        });
        return builder;
    }
}
