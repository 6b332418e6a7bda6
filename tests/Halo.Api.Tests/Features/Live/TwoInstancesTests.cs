using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Halo.Api.Features.Live;
using Halo.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;
using Npgsql;
using StackExchange.Redis;
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
            // Losing a claim is the normal case of every other instance: no failed insert in either log.
            var logs = a.Output + b.Output;
            Assert.False(logs.Contains("fail: Microsoft.EntityFrameworkCore", StringComparison.Ordinal) || logs.Contains("PK_job_claims", StringComparison.Ordinal), logs);
        }
        finally
        {
            PostgresTestServer.DropDatabase(database);
            try { Directory.Delete(root, recursive: true); } catch (IOException) { }
        }
    }

    private static int _witness;

    /// <summary>A report from a reporter of its own (its own network): two of them corroborate a cluster.</summary>
    private static async Task<Halo.Api.Features.Reports.SubmitReportResponse> SubmitAsWitness(HttpClient http, string json)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/reports/submit") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
        request.Headers.Add("X-Forwarded-For", $"203.0.{Interlocked.Increment(ref _witness) % 250}.{Random.Shared.Next(1, 250)}");
        var res = await http.SendAsync(request);
        var text = await res.Content.ReadAsStringAsync();
        Assert.True(res.StatusCode == HttpStatusCode.Created, $"{(int)res.StatusCode}: {text}");
        return JsonSerializer.Deserialize<Halo.Api.Features.Reports.SubmitReportResponse>(text, Json.Options)!;
    }

    [Fact]
    public async Task AVerifiedIncidentOnOneInstanceAlertsAPositionAndAWatchedPlaceGivenToTheOtherAndNoPositionCrossesRedis()
    {
        var database = "halo_two_" + Guid.NewGuid().ToString("N")[..10];
        var cs = PostgresTestServer.CreateDatabase(database);
        var root = Path.Combine(Path.GetTempPath(), "halo-tests", database);
        try
        {
            var prefix = "halo-test-" + Guid.NewGuid().ToString("N")[..8];
            // Reports come through a proxy on 127.0.0.1 that names each reporter's own address: distinct witnesses.
            var settings = new Dictionary<string, string>(Settings(cs, prefix)) { ["Network__TrustedProxies__0"] = "127.0.0.1" };
            // Everything this run publishes on Redis (backplane and relay), and below every key it leaves there.
            await using var redis = await ConnectionMultiplexer.ConnectAsync(Redis);
            var heard = new ConcurrentQueue<string>();
            await redis.GetSubscriber().SubscribeAsync(RedisChannel.Pattern(prefix + "*"), (_, m) => heard.Enqueue(m.ToString()));
            await using var a = await Instance.StartAsync(settings, FreePort(), Path.Combine(root, "a"));
            await using var b = await Instance.StartAsync(settings, FreePort(), Path.Combine(root, "b"));
            using var httpA = new HttpClient { BaseAddress = a.Address };
            using var httpB = new HttpClient { BaseAddress = b.Address };
            var occurred = DateTime.UtcNow.AddMinutes(-5);

            // A verified cluster elsewhere first: A reads the watched places (none yet) and caches them, so the place
            // saved on B below reaches A only if B's save clears A's cache (the relay's "places" message).
            var (xLat, xLon) = NewPlace();
            await using (var watcher = await LiveTestClient.ConnectAsync(a.Address))
            {
                await watcher.SubscribeAsync(xLat - 0.02, xLon - 0.02, xLat + 0.02, xLon + 0.02);
                await SubmitAsWitness(httpA, Body(NewDevice(), xLat, xLon, occurred));
                await SubmitAsWitness(httpA, Body(NewDevice(), xLat + 0.0003, xLon, occurred));
                while (!(await watcher.NextOfAsync(LivePublisher.IncidentUpdated, 60)).GetProperty("is_verified").GetBoolean()) { }
                await Task.Delay(500); // the alerts observer runs right after the hub messages
            }

            // On B: a signed-in owner saves a watched place; an anonymous device posts its live position. Both listen on B.
            var register = await httpB.PostAsJsonAsync("/api/v1/auth/register", new { email = $"u{Guid.NewGuid():N}@example.org", password = TestUsers.Password });
            Assert.Equal(HttpStatusCode.Created, register.StatusCode);
            var token = (await register.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("tokens").GetProperty("access_token").GetString()!;
            using var owner = new HttpClient { BaseAddress = b.Address };
            owner.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            var (homeLat, homeLon) = NewPlace();
            var put = await owner.PutAsJsonAsync("/api/v1/me/alerts", new
            {
                language = "en",
                watched_places = new[] { new { name = "Home", latitude = homeLat, longitude = homeLon, radius_m = 1500 } },
            });
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
            await using var ownerLive = await LiveTestClient.ConnectAsync(b.Address, token);

            var device = NewDevice();
            await using var deviceLive = await LiveTestClient.ConnectAsync(b.Address);
            await deviceLive.Connection.InvokeAsync("Identify", device);
            // ~100 m north of a res-8 cell's centre: two reports here are published at that centre, ~100 m away (radius 500 m).
            var (pLat, pLon) = NewPlace();
            var centre = H3.H3.CellToLatLng(H3.H3.LatLngToCell(pLat, pLon, 8));
            var (posLat, posLon) = (Math.Round(centre.LatDegrees, 6) + 0.000913, Math.Round(centre.LngDegrees, 6) + 0.000017);
            using (var position = new HttpRequestMessage(HttpMethod.Post, "/api/v1/me/position") { Content = JsonContent.Create(new { latitude = posLat, longitude = posLon, accuracy_m = 10 }) })
            {
                position.Headers.Add("X-Device-Id", device);
                Assert.Equal(HttpStatusCode.OK, (await httpB.SendAsync(position)).StatusCode);
            }

            // On A: two people report near the home and two at the device: both clusters become corroborated (verified) there.
            var home = await SubmitAsWitness(httpA, Body(NewDevice(), homeLat + 0.002, homeLon, occurred));
            await SubmitAsWitness(httpA, Body(NewDevice(), homeLat + 0.0022, homeLon, occurred));
            var near = await SubmitAsWitness(httpA, Body(NewDevice(), posLat, posLon, occurred));
            var verified = await SubmitAsWitness(httpA, Body(NewDevice(), posLat + 0.0001, posLon, occurred));
            Assert.True(verified.IsVerified);
            Assert.Equal(near.IncidentId, verified.IncidentId);

            var ownerAlert = await ownerLive.NextOfAsync(LivePublisher.Alert, 60);
            Assert.Equal(home.IncidentId, ownerAlert.GetProperty("incident_id").GetGuid());
            Assert.Equal("Home", ownerAlert.GetProperty("place").GetString());
            var deviceAlert = await deviceLive.NextOfAsync(LivePublisher.Alert, 60);
            Assert.Equal(near.IncidentId, deviceAlert.GetProperty("incident_id").GetGuid());
            Assert.Equal(JsonValueKind.Null, deviceAlert.GetProperty("place").ValueKind);
            Assert.True(deviceAlert.GetProperty("distance_m").GetDouble() < 500);
            // Once per incident per owner, across instances: no second alert for either.
            await Task.Delay(2000);
            while (deviceLive.HasPending) Assert.NotEqual(LivePublisher.Alert, (await deviceLive.NextAsync()).Type);
            while (ownerLive.HasPending) Assert.NotEqual(LivePublisher.Alert, (await ownerLive.NextAsync()).Type);

            // B's metrics show the relay: incidents received from A, the saved places sent to A.
            var scrape = (await httpB.GetStringAsync("/metrics")).Split('\n');
            Assert.Contains(scrape, l => l.StartsWith("halo_alerts_relayed", StringComparison.Ordinal) && l.Contains("direction=\"received\"") && l.Contains("kind=\"incident\""));
            Assert.Contains(scrape, l => l.StartsWith("halo_alerts_relayed", StringComparison.Ordinal) && l.Contains("direction=\"sent\"") && l.Contains("kind=\"places\""));

            // The device's position went over Redis in no message and lies in no key (the home place is stored by choice).
            var needles = new[] { posLat, posLon }.Select(v => v.ToString("0.#####", CultureInfo.InvariantCulture)).ToList();
            Assert.NotEmpty(heard);
            foreach (var message in heard)
                foreach (var needle in needles) Assert.DoesNotContain(needle, message);
            var server = redis.GetServer(redis.GetEndPoints()[0]);
            await foreach (var key in server.KeysAsync(pattern: prefix + "*"))
            {
                var value = await redis.GetDatabase().KeyTypeAsync(key) == RedisType.String ? (await redis.GetDatabase().StringGetAsync(key)).ToString() : "";
                foreach (var needle in needles)
                {
                    Assert.DoesNotContain(needle, key.ToString());
                    Assert.DoesNotContain(needle, value);
                }
            }
        }
        finally
        {
            PostgresTestServer.DropDatabase(database);
            try { Directory.Delete(root, recursive: true); } catch (IOException) { }
        }
    }
}
