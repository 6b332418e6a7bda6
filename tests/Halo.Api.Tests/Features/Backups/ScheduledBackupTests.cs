using Halo.Api.Features.Backups;
using Halo.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Halo.Api.Tests.Features.Backups;

public sealed class ScheduledBackupTests
{
    [Theory]
    [InlineData(DbProvider.Sqlite)]
    [InlineData(DbProvider.Postgres)]
    public async Task ScheduledBackupsGoToTheDataFolderAndOnlyTheNewestNAreKept(DbProvider provider)
    {
        using var app = new HaloApiFactory(provider).With("Backups:Keep", "2");
        await BackupTestSupport.SeedAsync(app, incidents: 5);
        var backups = app.Services.GetRequiredService<BackupService>();
        Assert.Equal(Path.Combine(app.DataDirectory, "backups"), backups.ScheduledDirectory);
        var made = new List<string>();
        for (var day = 0; day < 4; day++)
        {
            made.Add(await backups.RunScheduledAsync(CancellationToken.None));
            app.Clock.Advance(TimeSpan.FromDays(1));
        }
        Assert.Equal(4, made.Distinct().Count());
        Assert.Equal(made[^2..].Order(), Directory.GetFiles(backups.ScheduledDirectory).Order());
        // What is kept is a whole backup.
        using var target = new EmptyTarget(provider);
        var restored = await target.Service().RestoreAsync(made[^1], CancellationToken.None);
        Assert.Equal(2, restored.Manifest.Media.Count);
    }

    [Fact]
    public async Task TheDailyBackupIsScheduledOnItsCron()
    {
        using var on = new HaloApiFactory(DbProvider.Sqlite).With("Backups:ScheduleEnabled", "true");
        on.CreateClient().Dispose();
        var scheduler = await on.Services.GetRequiredService<Quartz.ISchedulerFactory>().GetScheduler();
        var trigger = await scheduler.GetTrigger(new Quartz.TriggerKey("scheduled-backup-trigger", "backups"));
        Assert.Equal(ScheduledBackupJob.Key, trigger!.JobKey);
        Assert.Equal("0 30 3 * * ?", ((Quartz.ICronTrigger)trigger).CronExpressionString);
    }
}
