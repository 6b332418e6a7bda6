using System.Data.Common;
using Halo.Api.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Halo.Api.Tests.Chaos;

/// <summary>
/// <c>kill -9</c> of the API while eight clients submit reports with retries and Idempotency-Keys, then a restart over
/// the same store: no acknowledged report is lost or doubled, and a report a client gave up on is stored at most once.
/// </summary>
[Collection(ChaosCollection.Name)]
public sealed class ApiKilledUnderLoadTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const int Clients = 8;

    [Theory]
    [InlineData(DbProvider.Sqlite)]
    [InlineData(DbProvider.Postgres)]
    public async Task EveryAcknowledgedReportIsStoredExactlyOnceAfterTheApiIsKilledAndRestarted(DbProvider provider)
    {
        var dataDirectory = Directory.CreateTempSubdirectory("halo-chaos-kill.").FullName;
        var database = "halo_test_" + Guid.NewGuid().ToString("N")[..12];
        var environment = new Dictionary<string, string>
        {
            ["Database__Provider"] = provider.ToString(),
            ["Database__DataDirectory"] = dataDirectory,
            ["Database__MigrateOnStart"] = "true",
            // A request the kill cut off leaves its key "in progress" on PostgreSQL; a retry takes it over after this.
            ["Reports__IdempotencyStaleSeconds"] = "5",
        };
        foreach (var (k, v) in ChaosLogging.QuietStoreFailures) environment[k.Replace(":", "__", StringComparison.Ordinal)] = v;
        string connectionString;
        if (provider == DbProvider.Postgres)
            environment["Database__ConnectionString"] = connectionString = PostgresTestServer.CreateDatabase(database);
        else connectionString = new SqliteConnectionStringBuilder { DataSource = Path.Combine(dataDirectory, "halo.db"), Pooling = false }.ToString();

        try
        {
            await using var api = new ApiProcess(environment);
            await api.StartAsync();
            var load = new ReportLoad(api.BaseAddress, Clients);
            using var stop = new CancellationTokenSource();
            var running = load.RunAsync(stop.Token);

            await Eventually.Until(() => load.Acknowledged >= 3 * Clients, TimeSpan.FromSeconds(60), "acknowledgements before the kill");
            await api.KillAsync();
            var beforeRestart = load.Acknowledged;
            // Clients keep retrying against a closed port for a moment: the impatient ones give up on what they hold.
            await Task.Delay(TimeSpan.FromSeconds(1.5));
            await api.StartAsync();
            await Eventually.Until(() => load.Acknowledged >= beforeRestart + 3 * Clients, TimeSpan.FromSeconds(60), "acknowledgements after the restart");
            await stop.CancelAsync();
            await running.WaitAsync(ReportLoad.PatientFor + TimeSpan.FromSeconds(15));

            Assert.True(load.Unexpected.Count == 0, string.Join("\n", load.Unexpected.Take(5)) + "\n" + api.Log);
            var stored = ReportLoad.ByToken(await ReadReportsAsync(provider, connectionString));
            var acknowledged = load.Done.Where(r => r.ReportId is not null).ToList();
            var gaveUp = load.Done.Where(r => r.ReportId is null).ToList();
            output.WriteLine($"{load.Done.Count} reports: {acknowledged.Count} acknowledged, {gaveUp.Count} given up ({gaveUp.Count(r => stored.ContainsKey(r.Token))} of them stored); "
                + $"answers: {string.Join(", ", load.Statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}"))}");

            foreach (var r in acknowledged)
            {
                Assert.True(stored.TryGetValue(r.Token, out var ids), $"acknowledged report {r.ReportId} is missing");
                Assert.Equal(r.ReportId, Assert.Single(ids));
            }
            foreach (var r in gaveUp)
                Assert.True(!stored.TryGetValue(r.Token, out var ids) || ids.Count == 1, $"a given-up report is stored {ids?.Count} times");
            // Nothing else was stored, and the clients did meet the dead API.
            Assert.Equal(load.Done.Count(r => stored.ContainsKey(r.Token)), stored.Count);
            Assert.True(load.Statuses.ContainsKey(0), "no request went unanswered while the API was down");

            // Every acknowledged key still answers with its report after the restart (a replay, nothing new).
            using var http = new HttpClient { BaseAddress = api.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
            foreach (var r in acknowledged.Where((_, i) => i % 4 == 0))
            {
                var (status, text) = await ReportLoad.SendAsync(http, r.Body, r.Key);
                Assert.True(status == 201, $"{status} {text}");
                Assert.Contains(r.ReportId!.Value.ToString(), text);
            }
            Assert.Equal(stored.Count, ReportLoad.ByToken(await ReadReportsAsync(provider, connectionString)).Count);
        }
        finally
        {
            if (provider == DbProvider.Postgres) PostgresTestServer.DropDatabase(database);
            try { Directory.Delete(dataDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>The citizen reports as stored, read straight from the store (not through the API under test).</summary>
    private static async Task<List<(string, Guid)>> ReadReportsAsync(DbProvider provider, string connectionString)
    {
        await using DbConnection conn = provider == DbProvider.Postgres ? new NpgsqlConnection(connectionString) : new SqliteConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = """SELECT "Description", "Id" FROM citizen_reports WHERE "Description" IS NOT NULL""";
        var rows = new List<(string, Guid)>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync()) rows.Add((reader.GetString(0), Guid.Parse(reader.GetValue(1).ToString()!)));
        return rows;
    }
}
