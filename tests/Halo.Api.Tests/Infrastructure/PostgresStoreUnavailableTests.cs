using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Halo.Api.Data;
using Microsoft.EntityFrameworkCore;
using Halo.Api.Features.Classification;
using Halo.Api.Features.Predictions;
using Halo.Api.Features.Predictions.Serving;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using static Halo.Api.Tests.Features.Reports.ReportTestHelpers;

namespace Halo.Api.Tests.Infrastructure;

/// <summary>A PostgreSQL server that cannot be reached, or a pool with no free connection, answers 503 + Retry-After.</summary>
public sealed class PostgresStoreUnavailableTests
{
    private const int BusySeconds = 2;

    private static Task AssertUnavailable(HttpResponseMessage res, string what) => res.AssertStoreUnavailable(what, 5);

    /// <summary>An app whose database connections go through a port on 127.0.0.1 that the test can close.</summary>
    private static (TcpForwarder Port, HaloApiFactory Factory) AppBehindAPort()
    {
        var name = "halo_test_" + Guid.NewGuid().ToString("N")[..12];
        var server = new NpgsqlConnectionStringBuilder(PostgresTestServer.CreateDatabase(name));
        var port = new TcpForwarder(server.Host!, server.Port);
        var factory = new HaloApiFactory(DbProvider.Postgres, postgresDatabase: name)
            .With("Database:ConnectionString", new NpgsqlConnectionStringBuilder(server.ConnectionString) { Host = "127.0.0.1", Port = port.Port }.ConnectionString)
            .With("Database:BusyTimeoutSeconds", BusySeconds.ToString());
        return (port, factory);
    }

    [Fact]
    public async Task AServerThatWentAwayAnswers503WithinAFewSecondsAndReadinessSaysNotReady()
    {
        // The app reaches its server through a port that closes mid-run: connections are cut, new ones refused.
        var (port, factory) = AppBehindAPort();
        using var _ = port;
        using var __ = factory;
        var client = factory.CreateClient();
        var (lat, lon) = NewPlace();
        await client.SubmitOk(Body(NewDevice(), lat, lon, factory.Now().AddMinutes(-5)));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);

        port.Close();

        var watch = Stopwatch.StartNew();
        await AssertUnavailable(await client.SubmitRaw(Body(NewDevice(), lat + 0.05, lon, factory.Now().AddMinutes(-5))), "submit");
        var register = await client.PostAsJsonAsync("/api/v1/auth/register", new { email = $"u{Guid.NewGuid():N}@example.org", password = TestUsers.Password });
        Assert.NotEqual(HttpStatusCode.Conflict, register.StatusCode);
        await AssertUnavailable(register, "register");
        await AssertUnavailable(await client.GetAsync("/api/v1/incidents"), "incidents");
        // Three requests, each retried three times at most 1 s apart.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3 * 3.5), $"took {watch.Elapsed}");

        var ready = await client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        var checks = (await ready.ReadJsonAsync()).GetProperty("checks");
        Assert.True(checks.TryGetProperty("database", out var why), checks.ToString());
        Assert.DoesNotContain("127.0.0.1", why.GetString()); // an anonymous caller learns what failed, not where
    }

    [Fact]
    public async Task AnExhaustedPoolAnswers503WithinTheBound()
    {
        const int PoolWaitSeconds = 3;
        var name = "halo_test_" + Guid.NewGuid().ToString("N")[..12];
        var cs = PostgresTestServer.CreateDatabase(name);
        using var factory = new HaloApiFactory(DbProvider.Postgres, postgresDatabase: name)
            .With("Database:ConnectionString", new NpgsqlConnectionStringBuilder(cs) { MaxPoolSize = 1 }.ConnectionString)
            .With("Database:BusyTimeoutSeconds", PoolWaitSeconds.ToString());
        var client = factory.CreateClient();
        var (lat, lon) = NewPlace();
        await client.SubmitOk(Body(NewDevice(), lat, lon, factory.Now().AddMinutes(-5)));

        await using (var scope = factory.Scope())
        {
            // The pool's only connection, held open as a stuck request would hold it.
            var db = scope.ServiceProvider.GetRequiredService<HaloDbContext>();
            await db.Database.OpenConnectionAsync();

            var watch = Stopwatch.StartNew();
            await AssertUnavailable(await client.SubmitRaw(Body(NewDevice(), lat + 0.05, lon, factory.Now().AddMinutes(-5))), "submit");
            // The pool wait is the option, and a timed-out wait is not retried: three retries would add three more
            // waits and their delays (≥ 4 × PoolWaitSeconds). The slack below that is for a loaded 2-core CI machine.
            Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(PoolWaitSeconds - 0.5), TimeSpan.FromSeconds(4 * PoolWaitSeconds - 0.5));
            await db.Database.CloseConnectionAsync();
        }

        await client.SubmitOk(Body(NewDevice(), lat + 0.05, lon, factory.Now().AddMinutes(-5)));
    }

    [Fact]
    public async Task TheModelStartupsWaitOutAServerThatIsUnreachableInsteadOfStoppingTheApp()
    {
        // A faulted background service stops the host: the model loaders at start must retry a store that cannot be
        // reached (a loaded or restarting server) and leave the rest of the app serving.
        var (port, factory) = AppBehindAPort();
        using var _ = port;
        using var __ = factory;
        var client = factory.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);
        port.Close();

        var logs = new LogCapture();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs));
        var services = factory.Services;
        var scopes = services.GetRequiredService<IServiceScopeFactory>();
        BackgroundService[] startups =
        [
            new PredictionStartup(services.GetRequiredService<RiskModelService>(), scopes, TimeProvider.System,
                services.GetRequiredService<IOptions<PredictionOptions>>(), loggers.CreateLogger<PredictionStartup>()),
            new ClassifierStartup(services.GetRequiredService<ClassifierService>(), scopes, TimeProvider.System,
                services.GetRequiredService<IOptions<ClassificationOptions>>(), loggers.CreateLogger<ClassifierStartup>()),
        ];
        foreach (var s in startups) await s.StartAsync(CancellationToken.None);

        // Each has met the unreachable server at least once and is waiting to try again.
        int Waiting() => logs.Entries.Where(e => e.Message.Contains("the store is unavailable")).Select(e => e.Category).Distinct().Count();
        var watch = Stopwatch.StartNew();
        while (Waiting() < startups.Length && watch.Elapsed < TimeSpan.FromSeconds(60)) await Task.Delay(100);
        Assert.Equal(startups.Length, Waiting());
        Assert.All(startups, s => Assert.False(s.ExecuteTask!.IsCompleted, $"{s.GetType().Name}: {s.ExecuteTask!.Exception}"));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);

        foreach (var s in startups) await s.StopAsync(CancellationToken.None);
        Assert.All(startups, s => Assert.False(s.ExecuteTask!.IsFaulted, $"{s.GetType().Name}: {s.ExecuteTask!.Exception}"));
    }
}
