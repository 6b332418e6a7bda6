using Halo.Api.Features.Geo;
using System.Net;
using System.Net.Http.Headers;
using Halo.Api.Features.Media;
using Halo.Api.Features.Reports;
using Halo.Api.Infrastructure.Idempotency;
using Halo.Api.Tests.Features.Media;
using Halo.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Quartz;
using static Halo.Api.Tests.Features.Reports.ReportTestHelpers;

namespace Halo.Api.Tests.Features.Reports;

/// <summary>The daily retention job, driven on the factory's fake clock (each provider gets its own factory: the clock jumps 91 days).</summary>
public abstract class ReportRetentionTests(HaloApiFactory factory)
{
    private readonly HttpClient _client = factory.CreateClient();

    private async Task<RetentionResult> RunRetention()
    {
        await using var scope = factory.Scope();
        return await scope.ServiceProvider.GetRequiredService<ReportRetention>().RunAsync(factory.Clock, CancellationToken.None);
    }

    [Fact]
    public async Task OldReportsAreAnonymisedAndTheirMediaDeletedWhileNewOnesStay()
    {
        var device = NewDevice();
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(TestFiles.JpegWithGpsExif(8, 8, 1));
        file.Headers.ContentType = MediaTypeHeaderValue.Parse("image/jpeg");
        form.Add(file, "file", "a.jpg");
        var req = new HttpRequestMessage(HttpMethod.Post, "/api/v1/media") { Content = form };
        req.Headers.Add(MediaEndpoints.DeviceHeader, device);
        var media = await (await _client.SendAsync(req)).ReadAsync<MediaUploadResponse>();
        var (lat, lon) = NewPlace();
        var oldKey = Guid.NewGuid().ToString();
        var old = await _client.SubmitOk(Body(device, lat, lon, factory.Now().AddMinutes(-5), mediaIds: [media.MediaId]), oldKey);
        var before = await factory.WithDb(db => db.Set<CitizenReport>().AsNoTracking().SingleAsync(r => r.Id == old.ReportId));
        var mediaFile = Path.Combine(factory.DataDirectory, "media",
            await factory.WithDb(db => db.Set<MediaItem>().Where(m => m.Id == media.MediaId).Select(m => m.StoredName).SingleAsync()));
        Assert.True(File.Exists(mediaFile));

        factory.Clock.Advance(TimeSpan.FromDays(89));
        var (lat2, lon2) = NewPlace();
        var recent = await _client.SubmitOk(Body(NewDevice(), lat2, lon2, factory.Now().AddMinutes(-5)));
        factory.Clock.Advance(TimeSpan.FromDays(2)); // old: 91 days, recent: 2 days

        var result = await RunRetention();
        Assert.True(result.ReportsAnonymised >= 1);
        Assert.True(result.IdempotencyRecordsDeleted >= 1);

        var after = await factory.WithDb(db => db.Set<CitizenReport>().AsNoTracking().SingleAsync(r => r.Id == old.ReportId));
        Assert.Null(after.DeviceHash);
        Assert.Null(after.ReporterId);
        Assert.Null(after.Description);
        Assert.Null(after.Latitude);
        Assert.Null(after.Longitude);
        Assert.Null(after.SensorsJson);
        Assert.Equal(before.H3Res9, after.H3Res9);
        Assert.Equal(before.Category, after.Category);
        Assert.NotNull(after.AnonymisedAt);
        Assert.False(File.Exists(mediaFile));
        Assert.Equal(0, await factory.WithDb(db => db.Set<MediaItem>().CountAsync(m => m.Id == media.MediaId)));
        var cluster = await factory.WithDb(db => db.Set<ReportCluster>().AsNoTracking().SingleAsync(c => c.IncidentId == old.IncidentId));
        Assert.Equal(GeoCells.Centre(GeoCells.Cell(lat, lon, GeoCells.FineResolution)), (cluster.CentroidLatitude, cluster.CentroidLongitude));

        var kept = await factory.WithDb(db => db.Set<CitizenReport>().AsNoTracking().SingleAsync(r => r.Id == recent.ReportId));
        Assert.NotNull(kept.DeviceHash);
        Assert.NotNull(kept.Description);
        Assert.NotNull(kept.Latitude);
        Assert.Null(kept.AnonymisedAt);

        // The public view still counts the old report, without anything personal.
        var dto = await _client.Cluster(old.IncidentId);
        var report = Assert.Single(dto!.Reports);
        Assert.True(report.Anonymised);
        Assert.Null(report.Description);
        Assert.Null(report.ReporterId);

        // Idempotency records older than Reports:IdempotencyRetentionDays (8) are gone.
        Assert.Equal(0, await factory.WithDb(db => db.Set<IdempotencyRecord>().CountAsync(r => r.Key == oldKey)));

        // A second run has nothing left to do.
        var again = await RunRetention();
        Assert.Equal(0, again.ReportsAnonymised);
        Assert.Equal(0, again.MediaDeleted);
    }

    [Fact]
    public async Task UnattachedMediaIsDeletedAfterTwoDays()
    {
        var device = NewDevice();
        using var form = new MultipartFormDataContent { { new ByteArrayContent(TestFiles.Wav(500)), "file", "a.wav" } };
        var req = new HttpRequestMessage(HttpMethod.Post, "/api/v1/media") { Content = form };
        req.Headers.Add(MediaEndpoints.DeviceHeader, device);
        var res = await _client.SendAsync(req);
        Assert.Equal(HttpStatusCode.Created, res.StatusCode);
        var id = (await res.ReadAsync<MediaUploadResponse>()).MediaId;
        await RunRetention();
        Assert.Equal(1, await factory.WithDb(db => db.Set<MediaItem>().CountAsync(m => m.Id == id)));
        factory.Clock.Advance(TimeSpan.FromDays(3));
        await RunRetention();
        Assert.Equal(0, await factory.WithDb(db => db.Set<MediaItem>().CountAsync(m => m.Id == id)));
    }
}

// The scheduled job is off here: Quartz runs on the app's TimeProvider, so moving the fake clock 89 days would fire the
// missed daily run in the background, racing the explicit runs these tests make.
public sealed class RetentionSqliteFactory : HaloApiFactory
{
    public RetentionSqliteFactory() : base(DbProvider.Sqlite) => With("Reports:RetentionJobEnabled", "false");
}

public sealed class RetentionPostgresFactory : HaloApiFactory
{
    public RetentionPostgresFactory() : base(DbProvider.Postgres) => With("Reports:RetentionJobEnabled", "false");
}

public sealed class ReportRetentionScheduleTests(SqliteApiFactory factory) : IClassFixture<SqliteApiFactory>
{
    [Fact]
    public async Task RetentionIsScheduledDaily()
    {
        var scheduler = await factory.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        var trigger = await scheduler.GetTrigger(new TriggerKey(ReportRetentionJob.Name + "-daily"));
        var cron = Assert.IsAssignableFrom<ICronTrigger>(trigger);
        Assert.Equal(new ReportsOptions().RetentionCron, cron.CronExpressionString);
        Assert.NotNull(await scheduler.GetJobDetail(new JobKey(ReportRetentionJob.Name)));
    }
}

public sealed class ReportRetentionSqliteTests(RetentionSqliteFactory f) : ReportRetentionTests(f), IClassFixture<RetentionSqliteFactory>;

public sealed class ReportRetentionPostgresTests(RetentionPostgresFactory f) : ReportRetentionTests(f), IClassFixture<RetentionPostgresFactory>;
