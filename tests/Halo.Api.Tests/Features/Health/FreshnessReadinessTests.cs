using System.Net;
using Halo.Api.Features.Ingestion;
using Halo.Api.Features.Predictions.Serving;
using Halo.Api.Tests.Features.Predictions;
using Halo.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Halo.Api.Tests.Features.Health;

/// <summary>/health/ready beyond the store: Redis when configured, the risk model's age, the police feed's lag.</summary>
public sealed class FreshnessReadinessTests
{
    private static async Task<(HttpStatusCode Status, string Body)> Ready(HaloApiFactory f)
    {
        var res = await f.CreateClient().GetAsync("/health/ready");
        return (res.StatusCode, await res.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ARiskModelOlderThanTheLimitMakesTheAppNotReady()
    {
        using var f = new HaloApiFactory(DbProvider.Sqlite).Fast();
        Assert.Equal(HttpStatusCode.OK, (await Ready(f)).Status); // no model yet: the first is being trained
        await PredictionTestData.SeedAsync(f);
        var risk = f.Services.GetRequiredService<RiskModelService>();
        await risk.RetrainAsync(risk.NewVersion(), CancellationToken.None);
        f.Clock.Advance(TimeSpan.FromHours(35));
        Assert.Equal(HttpStatusCode.OK, (await Ready(f)).Status);
        f.Clock.Advance(TimeSpan.FromHours(2));
        var (status, body) = await Ready(f);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Contains("model_freshness", body);
        Assert.Contains("Health:MaxModelAgeHours (36 h)", body);
    }

    [Fact]
    public async Task APollerWithoutASuccessForLongerThanTheLimitMakesTheAppNotReady()
    {
        using var f = new HaloApiFactory(DbProvider.Sqlite)
            .With("Ingestion:Polisen:Enabled", "true").With("Ingestion:Polisen:BaseUrl", "http://127.0.0.1:9")
            .With("Ingestion:Polisen:StartDelay", "01:00:00").With("Health:MaxIngestionLagMinutes", "30");
        Assert.Equal(HttpStatusCode.OK, (await Ready(f)).Status);
        f.Clock.Advance(TimeSpan.FromMinutes(31));
        var (status, body) = await Ready(f);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Contains("ingestion_lag", body);
        Assert.DoesNotContain("\"database\"", body);

        var now = f.Clock.GetUtcNow().UtcDateTime;
        await f.WithDb(db =>
        {
            db.Add(new IngestionRun { Id = Guid.NewGuid(), Source = "polisen", Trigger = IngestionTriggers.Schedule, StartedAt = now.AddMinutes(-1), FinishedAt = now, Succeeded = true });
            return db.SaveChangesAsync();
        });
        Assert.Equal(HttpStatusCode.OK, (await Ready(f)).Status);
    }

    [Fact]
    public async Task AConfiguredRedisIsPingedAndOneThatDoesNotAnswerIsNamed()
    {
        var redis = Environment.GetEnvironmentVariable("HALO_TEST_REDIS") ?? throw new InvalidOperationException("HALO_TEST_REDIS is not set (./test.sh starts Redis).");
        using (var up = new HaloApiFactory(DbProvider.Sqlite).With("Redis:ConnectionString", redis))
            Assert.Equal(HttpStatusCode.OK, (await Ready(up)).Status);
        using var down = new HaloApiFactory(DbProvider.Sqlite).With("Redis:ConnectionString", $"127.0.0.1:{FakeHttpReceiver.FreePort()}");
        var (status, body) = await Ready(down);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Contains("\"redis\"", body);
    }
}
