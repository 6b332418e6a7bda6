using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
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
    // A connect that is refused fails at once; this only bounds one through the port while it still forwards, which a
    // loaded 2-core CI machine once took longer than 2 s to open during the app's start.
    private const int BusySeconds = 10;

    private static Task AssertUnavailable(HttpResponseMessage res, string what) => res.AssertStoreUnavailable(what, 5);

    /// <summary>An app whose database connections go through a port on 127.0.0.1 that the test can close.</summary>
    private static (TcpForwarder Port, LogCapturingApiFactory Factory) AppBehindAPort()
    {
        var name = "halo_test_" + Guid.NewGuid().ToString("N")[..12];
        var server = new NpgsqlConnectionStringBuilder(PostgresTestServer.CreateDatabase(name));
        var port = new TcpForwarder(server.Host!, server.Port);
        var factory = new LogCapturingApiFactory(DbProvider.Postgres, postgresDatabase: name);
        factory.With("Database:ConnectionString", new NpgsqlConnectionStringBuilder(server.ConnectionString) { Host = "127.0.0.1", Port = port.Port }.ConnectionString)
            .With("Database:BusyTimeoutSeconds", BusySeconds.ToString())
            // EF logs each retry of its execution strategy here, with the delay before it.
            .With("Logging:LogLevel:Microsoft.EntityFrameworkCore.Infrastructure", "Information");
        return (port, factory);
    }

    private static readonly Regex RetryDelay = new(@"will be retried after (\d+)ms", RegexOptions.Compiled);

    /// <summary>The delays of the retries EF logged while serving the request whose ProblemDetails <paramref name="res"/> is.</summary>
    private static async Task<IReadOnlyList<int>> RetryDelaysOf(LogCapture logs, HttpResponseMessage res)
    {
        var traceId = (await res.ReadJsonAsync()).GetProperty("trace_id").GetString();
        Assert.False(string.IsNullOrEmpty(traceId));
        return [.. logs.Entries.Where(e => e.RequestId == traceId).Select(e => RetryDelay.Match(e.Message))
            .Where(m => m.Success).Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture))];
    }

    [Fact]
    public async Task AServerThatWentAwayAnswers503AfterAtMostThreeRetriesAtMostASecondApartAndReadinessSaysNotReady()
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

        // Counted from EF's own retry lines rather than timed: a loaded CI machine once stretched these few seconds to
        // 23. The clock only checks that no request waited out more than one connect timeout.
        var watch = Stopwatch.StartNew();
        var submit = await client.SubmitRaw(Body(NewDevice(), lat + 0.05, lon, factory.Now().AddMinutes(-5)));
        await AssertUnavailable(submit, "submit");
        var register = await client.PostAsJsonAsync("/api/v1/auth/register", new { email = $"u{Guid.NewGuid():N}@example.org", password = TestUsers.Password });
        Assert.NotEqual(HttpStatusCode.Conflict, register.StatusCode);
        await AssertUnavailable(register, "register");
        var incidents = await client.GetAsync("/api/v1/incidents");
        await AssertUnavailable(incidents, "incidents");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3 * (BusySeconds + 3)), $"took {watch.Elapsed}");
        var delays = new List<int>();
        foreach (var res in new[] { submit, register, incidents })
        {
            var each = await RetryDelaysOf(factory.Logs, res);
            Assert.True(each.Count <= 3, $"{res.RequestMessage!.RequestUri}: {each.Count} retries");
            delays.AddRange(each);
        }
        Assert.NotEmpty(delays); // the lines are there to count: a refused connection is retried
        Assert.All(delays, d => Assert.InRange(d, 0, 1000));

        var ready = await client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        var checks = (await ready.ReadJsonAsync()).GetProperty("checks");
        Assert.True(checks.TryGetProperty("database", out var why), checks.ToString());
        Assert.DoesNotContain("127.0.0.1", why.GetString()); // an anonymous caller learns what failed, not where
    }

    [Fact]
    public async Task AnExhaustedPoolAnswers503AfterOnePoolWaitThatIsNotRetried()
    {
        const int PoolWaitSeconds = 3;
        var name = "halo_test_" + Guid.NewGuid().ToString("N")[..12];
        var cs = PostgresTestServer.CreateDatabase(name);
        using var factory = new LogCapturingApiFactory(DbProvider.Postgres, postgresDatabase: name);
        factory.With("Database:ConnectionString", new NpgsqlConnectionStringBuilder(cs) { MaxPoolSize = 1 }.ConnectionString)
            .With("Database:BusyTimeoutSeconds", PoolWaitSeconds.ToString())
            .With("Logging:LogLevel:Microsoft.EntityFrameworkCore.Infrastructure", "Information");
        var client = factory.CreateClient();
        var (lat, lon) = NewPlace();
        await client.SubmitOk(Body(NewDevice(), lat, lon, factory.Now().AddMinutes(-5)));

        await using (var scope = factory.Scope())
        {
            // The pool's only connection, held open as a stuck request would hold it.
            var db = scope.ServiceProvider.GetRequiredService<HaloDbContext>();
            await db.Database.OpenConnectionAsync();

            // Each waits for the pool as long as the option says, and a timed-out wait is not retried: a retry would
            // wait again. Retries are counted from EF's log, as the time a loaded CI machine takes is no bound.
            var watch = Stopwatch.StartNew();
            var submit = await client.SubmitRaw(Body(NewDevice(), lat + 0.05, lon, factory.Now().AddMinutes(-5)));
            Assert.True(watch.Elapsed > TimeSpan.FromSeconds(PoolWaitSeconds - 0.5), $"submit: {watch.Elapsed}");
            await AssertUnavailable(submit, "submit");
            watch.Restart();
            var incidents = await client.GetAsync("/api/v1/incidents");
            Assert.True(watch.Elapsed > TimeSpan.FromSeconds(PoolWaitSeconds - 0.5), $"incidents: {watch.Elapsed}");
            await AssertUnavailable(incidents, "incidents");
            Assert.Empty(await RetryDelaysOf(factory.Logs, submit));
            Assert.Empty(await RetryDelaysOf(factory.Logs, incidents));
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
