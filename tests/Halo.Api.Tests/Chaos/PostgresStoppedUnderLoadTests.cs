using System.Diagnostics;
using System.Net;
using Halo.Api.Features.Predictions.Serving;
using Halo.Api.Tests.Features.Predictions;
using Halo.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using static Halo.Api.Tests.Features.Reports.ReportTestHelpers;

namespace Halo.Api.Tests.Chaos;

/// <summary>
/// The PostgreSQL server stops (<c>pg_ctl stop -m immediate</c>) while clients submit reports, and comes back: the API
/// says it is not ready, refuses writes with 503 + Retry-After, keeps serving predictions from memory, and recovers by
/// itself without losing an acknowledged report. A private server, so the shared one keeps serving the other tests.
/// </summary>
[Collection(ChaosCollection.Name)]
public sealed class PostgresStoppedUnderLoadTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const int RetryAfterSeconds = 3;

    [Fact]
    public async Task WhilePostgresIsDownWritesAnswer503AndPredictionsKeepServingAndAfterItReturnsNoAcknowledgedReportIsLost()
    {
        var phase = Stopwatch.StartNew();
        using var pg = new PrivatePostgres();
        using var factory = new HaloApiFactory(DbProvider.Postgres).Fast().Quiet()
            .With("Database:ConnectionString", pg.ConnectionString)
            .With("Database:BusyTimeoutSeconds", "2")
            .With("Database:RetryAfterSeconds", RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .With("Reports:IdempotencyStaleSeconds", "5");
        HttpClient Client()
        {
            var c = factory.CreateClient();
            c.Timeout = TimeSpan.FromSeconds(15);
            return c;
        }
        using var client = Client();
        output.WriteLine($"private server up: {phase.ElapsedMilliseconds} ms");
        await PredictionTestData.SeedAsync(factory);
        var risk = factory.Services.GetRequiredService<RiskModelService>();
        await risk.RetrainAsync(risk.NewVersion(), CancellationToken.None);
        output.WriteLine($"server, seed and training: {phase.ElapsedMilliseconds} ms");
        var reads = new[]
        {
            FormattableString.Invariant($"/api/v1/predictions/hotspots?lat={PredictionTestData.HotLat}&lon={PredictionTestData.HotLon}&radius_km=5"),
            "/api/v1/predictions/report-card",
            "/api/v1/predictions/metrics",
        };
        var before = new Dictionary<string, string>();
        foreach (var path in reads) before[path] = await OkBody(client, path);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);

        // The app's clock follows real time from here: a key whose request the stop cut off is taken over once stale.
        using var ticking = new CancellationTokenSource();
        var ticker = Task.Run(async () =>
        {
            var last = Stopwatch.GetTimestamp();
            while (!ticking.IsCancellationRequested)
            {
                await Task.Delay(100, CancellationToken.None);
                var now = Stopwatch.GetTimestamp();
                factory.Clock.Advance(Stopwatch.GetElapsedTime(last, now));
                last = now;
            }
        }, CancellationToken.None);
        var load = new ReportLoad(Client, 8, factory.Now);
        using var stop = new CancellationTokenSource();
        var running = load.RunAsync(stop.Token);
        await Eventually.Until(() => load.Acknowledged >= 16, TimeSpan.FromSeconds(60), "acknowledgements before the stop");

        pg.StopImmediately();
        var down = Stopwatch.StartNew();
        while ((await client.GetAsync("/health/ready")).StatusCode != HttpStatusCode.ServiceUnavailable)
        {
            Assert.True(down.Elapsed < TimeSpan.FromSeconds(5), "/health/ready still says ready 5 s after the server stopped");
            await Task.Delay(100);
        }
        output.WriteLine($"not ready after {down.ElapsedMilliseconds} ms");
        var (lat, lon) = NewPlace();
        await (await client.SubmitRaw(Body(NewDevice(), lat, lon, factory.Now().AddMinutes(-5)))).AssertStoreUnavailable("submit", RetryAfterSeconds);
        // Served from memory: the same answers as before the server went away.
        foreach (var path in reads) Assert.Equal(before[path], await OkBody(client, path));

        // Down a few seconds under load, then back.
        await Task.Delay(TimeSpan.FromSeconds(2));
        var acknowledgedWhileDown = load.Acknowledged;
        pg.Start();
        var up = Stopwatch.StartNew();
        while ((await client.GetAsync("/health/ready")).StatusCode != HttpStatusCode.OK)
        {
            Assert.True(up.Elapsed < TimeSpan.FromSeconds(30), "/health/ready not back 30 s after the server started");
            await Task.Delay(200);
        }
        output.WriteLine($"ready again after {up.ElapsedMilliseconds} ms");
        await Eventually.Until(() => load.Acknowledged >= acknowledgedWhileDown + 16, TimeSpan.FromSeconds(60), "acknowledgements after the restart");
        output.WriteLine($"load after the restart: {up.ElapsedMilliseconds} ms");
        await stop.CancelAsync();
        await running.WaitAsync(ReportLoad.PatientFor + TimeSpan.FromSeconds(15));
        output.WriteLine($"clients done: {up.ElapsedMilliseconds} ms");
        await ticking.CancelAsync();
        await ticker;

        // No 500 and no other surprise: a client saw only 201, 503 and 409 "in progress".
        Assert.True(load.Unexpected.Count == 0, string.Join("\n", load.Unexpected.Take(5)));
        Assert.True(load.Statuses.ContainsKey(503), "no client met the stopped server");
        output.WriteLine($"{load.Done.Count} reports; answers: {string.Join(", ", load.Statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}"))}");
        var stored = ReportLoad.ByToken(await ReadReportsAsync(pg.ConnectionString));
        foreach (var r in load.Done)
        {
            if (r.ReportId is { } id) Assert.True(stored.TryGetValue(r.Token, out var ids) && ids.Count == 1 && ids[0] == id, $"acknowledged report {id}: {ids?.Count ?? 0} rows");
            else Assert.True(!stored.TryGetValue(r.Token, out var ids) || ids.Count == 1, "a given-up report is stored twice");
        }
        // A new write, through the same pool, without restarting the API.
        (lat, lon) = NewPlace();
        await client.SubmitOk(Body(NewDevice(), lat, lon, factory.Now().AddMinutes(-5)));
    }

    private static async Task<string> OkBody(HttpClient client, string path)
    {
        var res = await client.GetAsync(path);
        var text = await res.Content.ReadAsStringAsync();
        Assert.True(res.StatusCode == HttpStatusCode.OK, $"{path}: {(int)res.StatusCode} {text}");
        return text;
    }

    private static async Task<List<(string, Guid)>> ReadReportsAsync(string connectionString)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("""SELECT "Description", "Id" FROM citizen_reports WHERE "Description" IS NOT NULL""", conn);
        var rows = new List<(string, Guid)>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync()) rows.Add((reader.GetString(0), reader.GetGuid(1)));
        return rows;
    }
}
