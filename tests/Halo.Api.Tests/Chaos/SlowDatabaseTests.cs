using System.Diagnostics;
using System.Net;
using Halo.Api.Tests.Infrastructure;
using Npgsql;
using static Halo.Api.Tests.Features.Reports.ReportTestHelpers;

namespace Halo.Api.Tests.Chaos;

/// <summary>
/// A database that stops answering (a delaying proxy between the API and PostgreSQL): requests that need it end with
/// 503 after <c>Database:CommandTimeoutSeconds</c>, none hangs, requests that do not need it stay quick (no thread is
/// blocked waiting), and the API recovers once the database answers again.
/// </summary>
[Collection(ChaosCollection.Name)]
public sealed class SlowDatabaseTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const int CommandTimeoutSeconds = 2;
    private const int Stuck = 24;

    [Fact]
    public async Task RequestsToAStuckDatabaseAnswer503WithinTheCommandTimeoutWhileLivenessStaysQuick()
    {
        var name = "halo_test_" + Guid.NewGuid().ToString("N")[..12];
        var server = new NpgsqlConnectionStringBuilder(PostgresTestServer.CreateDatabase(name));
        using var proxy = new DelayingProxy(server.Host!, server.Port);
        using var factory = new HaloApiFactory(DbProvider.Postgres, postgresDatabase: name).Quiet()
            .With("Database:ConnectionString", new NpgsqlConnectionStringBuilder(server.ConnectionString) { Host = "127.0.0.1", Port = proxy.Port }.ConnectionString)
            .With("Database:CommandTimeoutSeconds", CommandTimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .With("Database:BusyTimeoutSeconds", "2");
        using var client = factory.CreateClient();
        client.Timeout = TimeSpan.FromSeconds(60);
        var (lat, lon) = NewPlace();
        await client.SubmitOk(Body(NewDevice(), lat, lon, factory.Now().AddMinutes(-5)));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/incidents")).StatusCode);

        // Every byte to and from the database now waits a minute: far longer than any request may.
        proxy.Delay = TimeSpan.FromSeconds(60);
        var watch = Stopwatch.StartNew();
        var stuck = Enumerable.Range(0, Stuck).Select(async i =>
        {
            var started = watch.Elapsed;
            var res = i % 2 == 0
                ? await client.SubmitRaw(Body(NewDevice(), lat + 0.01 * i, lon, factory.Now().AddMinutes(-5)))
                : await client.GetAsync(FormattableString.Invariant($"/api/v1/incidents?bbox={lon - 1},{lat - 1},{lon + 1},{lat + 1}"));
            return (Response: res, Took: watch.Elapsed - started);
        }).ToList();

        // Meanwhile, what needs no database answers at once: nothing is blocked waiting for it.
        var live = new List<TimeSpan>();
        while (stuck.Any(t => !t.IsCompleted) && watch.Elapsed < TimeSpan.FromSeconds(30))
        {
            var one = Stopwatch.StartNew();
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);
            live.Add(one.Elapsed);
            await Task.Delay(100);
        }
        var ready = Stopwatch.StartNew();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/health/ready")).StatusCode);
        Assert.True(ready.Elapsed < TimeSpan.FromSeconds(5), $"/health/ready took {ready.Elapsed}");

        var answers = await Task.WhenAll(stuck);
        output.WriteLine($"stuck requests answered in {answers.Min(a => a.Took).TotalSeconds:F1}–{answers.Max(a => a.Took).TotalSeconds:F1} s; "
            + $"{live.Count} liveness checks, slowest {live.Max().TotalMilliseconds:F0} ms; thread pool: {ThreadPool.ThreadCount} threads, {ThreadPool.PendingWorkItemCount} queued");
        foreach (var (res, took) in answers)
        {
            Assert.True(res.StatusCode is HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout,
                $"{(int)res.StatusCode} {await res.Content.ReadAsStringAsync()}");
            Assert.True(res.Headers.RetryAfter is not null, "no Retry-After");
            // The command timeout, Npgsql's wait for the cancellation, and a cleanup command of the same bound: never the minute.
            Assert.True(took < TimeSpan.FromSeconds(20), $"a request took {took}");
        }
        Assert.NotEmpty(live);
        Assert.True(live.Max() < TimeSpan.FromSeconds(2), $"liveness took up to {live.Max()} while database requests were stuck");

        // The database answers again: so does the API, without a restart.
        proxy.Delay = TimeSpan.Zero;
        var back = Stopwatch.StartNew();
        HttpResponseMessage submit;
        while ((submit = await client.SubmitRaw(Body(NewDevice(), lat + 0.5, lon, factory.Now().AddMinutes(-5)))).StatusCode != HttpStatusCode.Created)
        {
            Assert.True(back.Elapsed < TimeSpan.FromSeconds(30), $"{(int)submit.StatusCode} {await submit.Content.ReadAsStringAsync()}");
            await Task.Delay(200);
        }
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/incidents")).StatusCode);
    }
}
