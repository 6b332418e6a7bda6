using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Halo.Api.Features.Live;
using Halo.Api.Tests.Infrastructure;
using Npgsql;
using static Halo.Api.Tests.Features.Reports.ReportTestHelpers;

namespace Halo.Api.Tests.Features.Live;

/// <summary>
/// Two real API processes (the built Halo.Api.dll) on 127.0.0.1 with one PostgreSQL database and one Redis
/// (HALO_TEST_POSTGRES, HALO_TEST_REDIS: test.sh starts both), as a deployment behind a load balancer runs them.
/// </summary>
public sealed class TwoInstancesTests
{
    private sealed class Instance : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _output = new();
        public Uri Address { get; }

        private Instance(Process process, Uri address)
        {
            _process = process;
            Address = address;
        }

        public static async Task<Instance> StartAsync(Dictionary<string, string> environment, int port, string dataDirectory)
        {
            var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
            var bin = Path.Combine(Halo.Api.Tests.Infrastructure.Cli.AppProcess.RepoRoot, "src", "Halo.Api", "bin", configuration, "net10.0");
            var address = new Uri($"http://127.0.0.1:{port}");
            var start = new ProcessStartInfo("dotnet", [Path.Combine(bin, "Halo.Api.dll"), "--urls", address.ToString().TrimEnd('/')])
            {
                WorkingDirectory = bin, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            };
            foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase)
                         || k.StartsWith("Secrets__", StringComparison.OrdinalIgnoreCase) || k.StartsWith("DOTNET_ENVIRONMENT", StringComparison.OrdinalIgnoreCase)).ToList())
                start.Environment.Remove(key);
            foreach (var (k, v) in environment) start.Environment[k] = v;
            start.Environment["Database__DataDirectory"] = dataDirectory;
            Directory.CreateDirectory(dataDirectory);
            var process = Process.Start(start)!;
            var instance = new Instance(process, address);
            process.OutputDataReceived += (_, e) => { lock (instance._output) instance._output.AppendLine(e.Data); };
            process.ErrorDataReceived += (_, e) => { lock (instance._output) instance._output.AppendLine(e.Data); };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(5) };
            for (var i = 0; i < 240; i++)
            {
                if (process.HasExited) throw new InvalidOperationException("The instance exited: " + instance.Output);
                try { if ((await http.GetAsync("/health")).StatusCode == HttpStatusCode.OK) return instance; }
                catch (HttpRequestException) { }
                catch (TaskCanceledException) { }
                await Task.Delay(500);
            }
            throw new TimeoutException("The instance did not answer /health in 2 minutes: " + instance.Output);
        }

        public string Output { get { lock (_output) return _output.ToString(); } }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
            _process.Dispose();
        }
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    private static string Redis => Environment.GetEnvironmentVariable("HALO_TEST_REDIS")
        ?? throw new InvalidOperationException("HALO_TEST_REDIS is not set. Run the tests with ./test.sh, which starts Redis on 127.0.0.1.");

    private static Dictionary<string, string> Settings(string connectionString, string prefix, string? retrainCron = null) => new()
    {
        ["ASPNETCORE_ENVIRONMENT"] = "Testing",
        ["Database__Provider"] = "Postgres",
        ["Database__ConnectionString"] = connectionString,
        ["Database__MigrateOnStart"] = "true",
        ["Database__SeedSample"] = "false",
        ["Ingestion__Polisen__Enabled"] = "false",
        ["Classification__TrainOnStart"] = "false",
        ["Predictions__TrainOnStart"] = "false",
        ["Training__DailyRetrainEnabled"] = retrainCron is null ? "false" : "true",
        ["Training__RetrainCron"] = retrainCron ?? "0 0 2 * * ?",
        ["RateLimiting__Enabled"] = "false",
        ["Logging__LogLevel__Default"] = "Warning",
        ["Redis__ConnectionString"] = Redis,
        // This run's own channels and keys on the shared Redis.
        ["Redis__Prefix"] = prefix,
        // Both instances are one deployment: the same secrets.
        ["Secrets__JwtSigningKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        ["Secrets__DeviceHashKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        ["Secrets__VapidPrivateKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
    };

    private static async Task<long> CountAsync(string connectionString, string sql)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    private static async Task<List<long>> ListAsync(string connectionString, string sql)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await using var r = await cmd.ExecuteReaderAsync();
        var list = new List<long>();
        while (await r.ReadAsync()) list.Add(r.GetInt64(0));
        return list;
    }

    [Fact]
    public async Task AReportOnOneInstanceReachesAClientOnTheOtherAlsoAfterThatInstanceRestarts()
    {
        var database = "halo_two_" + Guid.NewGuid().ToString("N")[..10];
        var cs = PostgresTestServer.CreateDatabase(database);
        var root = Path.Combine(Path.GetTempPath(), "halo-tests", database);
        try
        {
            var settings = Settings(cs, "halo-test-" + Guid.NewGuid().ToString("N")[..8]);
            var portB = FreePort();
            // A first (it migrates), then B.
            await using var a = await Instance.StartAsync(settings, FreePort(), Path.Combine(root, "a"));
            var b = await Instance.StartAsync(settings, portB, Path.Combine(root, "b"));
            try
            {
                var (lat, lon) = NewPlace();
                await using var client = await LiveTestClient.ConnectAsync(b.Address);
                await client.SubscribeAsync(lat - 0.05, lon - 0.05, lat + 0.05, lon + 0.05);
                using var http = new HttpClient { BaseAddress = a.Address };
                var first = await http.SubmitOk(Body(NewDevice(), lat, lon, DateTime.UtcNow.AddMinutes(-5)));
                var created = await client.NextOfAsync(LivePublisher.IncidentCreated, 60);
                Assert.Equal(first.IncidentId, created.GetProperty("id").GetGuid());

                // B restarts on the same port; the client reconnects by itself and resubscribes (docs/live.md).
                await b.DisposeAsync();
                b = await Instance.StartAsync(settings, portB, Path.Combine(root, "b"));
                for (var i = 0; i < 600 && client.Reconnects == 0; i++) await Task.Delay(100);
                Assert.True(client.Reconnects > 0, "the client did not reconnect to the restarted instance");
                var (lat2, lon2) = (lat + 0.03, lon + 0.03); // same area, another cluster (≥ 2 km away)
                var second = await http.SubmitOk(Body(NewDevice(), lat2, lon2, DateTime.UtcNow.AddMinutes(-5)));
                var again = await client.NextOfAsync(LivePublisher.IncidentCreated, 60);
                Assert.Equal(second.IncidentId, again.GetProperty("id").GetGuid());
            }
            finally
            {
                await b.DisposeAsync();
            }
        }
        finally
        {
            PostgresTestServer.DropDatabase(database);
            try { Directory.Delete(root, recursive: true); } catch (IOException) { }
        }
    }

    [Fact]
    public async Task ARetrainScheduledOnBothInstancesRunsOnce()
    {
        var database = "halo_two_" + Guid.NewGuid().ToString("N")[..10];
        var cs = PostgresTestServer.CreateDatabase(database);
        var root = Path.Combine(Path.GetTempPath(), "halo-tests", database);
        try
        {
            // Every 20 seconds, on both.
            var settings = Settings(cs, "halo-test-" + Guid.NewGuid().ToString("N")[..8], "0/20 * * * * ?");
            await using var a = await Instance.StartAsync(settings, FreePort(), Path.Combine(root, "a"));
            await using var b = await Instance.StartAsync(settings, FreePort(), Path.Combine(root, "b"));
            const string claims = "SELECT count(*) FROM job_claims WHERE \"Job\" LIKE '%daily-retrain'";
            // Wait for two scheduled runs while both instances are up (each fire after B started is fired by both).
            var startClaims = await CountAsync(cs, claims);
            for (var i = 0; i < 900 && await CountAsync(cs, claims) < startClaims + 2; i++) await Task.Delay(100);
            var fired = await CountAsync(cs, claims);
            Assert.True(fired >= startClaims + 2, $"{fired} claims");
            // Each run trains (and, with no events, records a failed risk model, TrainedAt = when it started): one row per
            // scheduled time, never one per instance.
            const string perSlot = """
                SELECT count(*) FROM model_versions m WHERE m."Kind" = 'risk' AND m."TrainedAt" >= c."FireTime" AND m."TrainedAt" < c."FireTime" + interval '15 seconds'
                """;
            var slots = $"SELECT ({perSlot}) FROM job_claims c WHERE c.\"Job\" LIKE '%daily-retrain' ORDER BY c.\"FireTime\" LIMIT 2";
            List<long> runs = [];
            for (var i = 0; i < 300; i++)
            {
                runs = await ListAsync(cs, slots);
                if (runs.Count == 2 && runs.All(r => r >= 1)) break;
                await Task.Delay(100);
            }
            Assert.Equal([1L, 1L], runs);
            Assert.True(await CountAsync(cs, "SELECT count(DISTINCT \"Instance\") FROM job_claims") >= 1);
        }
        finally
        {
            PostgresTestServer.DropDatabase(database);
            try { Directory.Delete(root, recursive: true); } catch (IOException) { }
        }
    }
}
