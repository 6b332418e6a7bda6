// Load process for /hubs/live (bench/live/run.sh starts the API and this). One process holds every client connection:
// WebSockets, JSON protocol, stateful reconnect on, as the app's clients connect (docs/live.md). What it measures:
//  1. a plain HTTP GET /health round trip (baseline), at 0 and at N connections;
//  2. server memory (RSS from /proc, GC heap and open connections from /metrics) at 0, BASE and N connections;
//  3. broadcast: every connection watches the same box; citizen reports are submitted into it one after another
//     (POST /api/v1/reports/submit, the real path); latency = client receive time − the time just before the POST was
//     sent, both on this process's monotonic clock (client-stamped), per connection and report, first at BASE then N;
//     only a message stamped (updated_at) at or after the send counts, since reports join earlier ones' incidents;
//  4. area fan-out: the connections split over AREAS boxes; reports are submitted at RATE/s into random areas for
//     SECONDS; delivered hub messages per second are counted at the clients (at BASE and at N).
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

var opts = Args.Parse(args);
var server = new Uri(opts.Get("url", "http://127.0.0.1:5395"));
var pid = int.Parse(opts.Get("pid", "0"), CultureInfo.InvariantCulture);
var n = opts.Int("connections", 5000);
var baseN = opts.Int("baseline", 100);
var broadcasts = opts.Int("broadcasts", 20);
var areaCount = opts.Int("areas", 50);
var rate = opts.Int("rate", 10);
var seconds = opts.Int("seconds", 20);
var connectParallel = opts.Int("connect-parallel", 32);

using var http = new HttpClient { BaseAddress = server, Timeout = TimeSpan.FromSeconds(30) };
var bench = new Bench(http, server, pid);
var rows = new List<string>();
void Row(string s) { rows.Add(s); Console.WriteLine(s); }

Console.WriteLine($"load {File.ReadAllText("/proc/loadavg").Trim()} | server pid {pid} | target {n} connections, baseline {baseN}");
await bench.WarmUpAsync();
var health0 = await bench.HealthRoundTripsAsync(300);
var mem0 = await bench.MemoryAsync();
Row($"| HTTP GET /health round trip, 0 hub connections (baseline) | p50 {health0.P(50):F2} ms, p99 {health0.P(99):F2} ms |");
Row($"| server at 0 connections | RSS {mem0.RssMb:F1} MB, GC heap {mem0.GcHeapMb:F1} MB, connections gauge {mem0.Connections} |");

var clients = new List<Client>();
var connectWatch = Stopwatch.StartNew();
await bench.ConnectAsync(clients, baseN, connectParallel);
Row($"| connect {baseN} | {connectWatch.Elapsed.TotalSeconds:F1} s |");
var memBase = await bench.MemoryAsync();
Row($"| server at {baseN} connections | RSS {memBase.RssMb:F1} MB, GC heap {memBase.GcHeapMb:F1} MB, connections gauge {memBase.Connections} |");

var bcBase = await bench.BroadcastAsync(clients, broadcasts);
Row($"| broadcast to {baseN} (baseline): {broadcasts} reports × {baseN} | {bcBase.Describe()} |");
var fanBase = await bench.FanOutAsync(clients, areaCount, rate, Math.Max(5, seconds / 2));
Row($"| area fan-out, {baseN} connections over {areaCount} areas (baseline) | {fanBase} |");

connectWatch.Restart();
await bench.ConnectAsync(clients, n, connectParallel);
var connectSecs = connectWatch.Elapsed.TotalSeconds;
var failed = clients.Count(c => c.Connection.State != HubConnectionState.Connected);
Row($"| connect up to {n} | {connectSecs:F1} s for {n - baseN}, {clients.Count - failed} open, {bench.ConnectFailures} connect failures |");
await Task.Delay(TimeSpan.FromSeconds(5)); // let the server settle (allocation bursts of the handshakes) before reading memory
var memN = await bench.MemoryAsync();
Row($"| server at {clients.Count} connections | RSS {memN.RssMb:F1} MB, GC heap {memN.GcHeapMb:F1} MB, connections gauge {memN.Connections} |");
Row($"| memory per connection (0 → {clients.Count}) | RSS {(memN.RssMb - mem0.RssMb) * 1024 / clients.Count:F1} KB, GC heap {(memN.GcHeapMb - mem0.GcHeapMb) * 1024 / clients.Count:F1} KB |");
var healthN = await bench.HealthRoundTripsAsync(300);
Row($"| HTTP GET /health round trip, {clients.Count} hub connections | p50 {healthN.P(50):F2} ms, p99 {healthN.P(99):F2} ms |");

var bcN = await bench.BroadcastAsync(clients, broadcasts);
Row($"| broadcast to {clients.Count}: {broadcasts} reports × {clients.Count} | {bcN.Describe()} |");
var fanN = await bench.FanOutAsync(clients, areaCount, rate, seconds);
Row($"| area fan-out, {clients.Count} connections over {areaCount} areas | {fanN} |");
var disconnected = clients.Count(c => c.Connection.State != HubConnectionState.Connected);
Row($"| connections lost during the run | {disconnected} |");
Console.WriteLine($"load after {File.ReadAllText("/proc/loadavg").Trim()}");
Console.WriteLine();
Console.WriteLine("| measurement | result |");
Console.WriteLine("|---|---|");
foreach (var r in rows) Console.WriteLine(r);
await Parallel.ForEachAsync(clients, new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (c, _) => await c.Connection.DisposeAsync());

/// <summary>An arrival: incident id, monotonic time, the server's stamp (the incident's updated_at) and the wall clock then.</summary>
internal sealed record Received(string Id, long At, DateTime ServerStamp, DateTime Wall);

/// <summary>One hub connection and what it received (incident and cluster messages: id and arrival time).</summary>
internal sealed class Client
{
    public required HubConnection Connection { get; init; }
    public ConcurrentQueue<Received> Inbox { get; } = new();
    public int Area { get; set; } = -1;
}

internal sealed record Memory(double RssMb, double GcHeapMb, long Connections);

internal sealed class Samples(List<double> values)
{
    public List<double> Values { get; } = values;
    public double P(double pct)
    {
        if (Values.Count == 0) return double.NaN;
        var sorted = Values.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(pct / 100 * sorted.Count) - 1, 0, sorted.Count - 1)];
    }
}

internal sealed record BroadcastResult(Samples Latency, long Expected, long Missing, Samples Submit, Samples Stamped, long Stale)
{
    public string Describe() =>
        $"delivered {Expected - Missing}/{Expected}; send→receive p50 {Latency.P(50):F0} ms, p95 {Latency.P(95):F0} ms, p99 {Latency.P(99):F0} ms, max {Latency.P(100):F0} ms; " +
        $"server-stamped (row updated_at → receive) p50 {Stamped.P(50):F0} ms, p99 {Stamped.P(99):F0} ms; " +
        $"earlier messages for the same incident arriving during a send (not counted) {Stale}; " +
        $"the submit POST itself p50 {Submit.P(50):F0} ms, p99 {Submit.P(99):F0} ms";
}

internal sealed class Bench(HttpClient http, Uri server, int pid)
{
    // Broadcast box: central Stockholm; reports land in its middle so their published cells stay inside it.
    private const double BoxLat = 59.33, BoxLon = 18.06;
    private static readonly string[] Categories = ["theft", "vandalism", "disturbance", "traffic", "burglary", "fire"];
    private static readonly JsonSerializerOptions Snake = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
    private int _reports;

    public int ConnectFailures;

    public async Task WarmUpAsync()
    {
        for (var i = 0; i < 50; i++) (await http.GetAsync("/health")).EnsureSuccessStatusCode();
        // The first reports pay for JIT and the first clustering queries: outside every measurement.
        for (var i = 0; i < 5; i++) await SubmitAsync(59.60 + i * 0.05, 17.40);
    }

    public async Task<Samples> HealthRoundTripsAsync(int count)
    {
        var values = new List<double>(count);
        for (var i = 0; i < count; i++)
        {
            var t = Stopwatch.GetTimestamp();
            using var r = await http.GetAsync("/health");
            r.EnsureSuccessStatusCode();
            values.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
        }
        return new Samples(values);
    }

    public async Task<Memory> MemoryAsync()
    {
        var rss = 0.0;
        if (pid > 0)
            foreach (var line in await File.ReadAllLinesAsync($"/proc/{pid}/status"))
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                    rss = double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
        double heap = 0;
        long connections = 0;
        var scrape = await http.GetStringAsync("/metrics");
        foreach (var line in scrape.Split('\n'))
        {
            if (line.StartsWith('#') || line.Length == 0) continue;
            var value = line[(line.LastIndexOf(' ') + 1)..];
            // The runtime's "heap size after the last collection", summed over generations (and LOH/POH).
            if (line.StartsWith("dotnet_gc_last_collection_heap_size_bytes", StringComparison.Ordinal)
                || line.StartsWith("process_runtime_dotnet_gc_heap_size_bytes", StringComparison.Ordinal))
                heap += double.Parse(value, CultureInfo.InvariantCulture) / (1024 * 1024);
            else if (line.StartsWith("halo_live_connections", StringComparison.Ordinal))
                connections += (long)double.Parse(value, CultureInfo.InvariantCulture);
        }
        return new Memory(rss, heap, connections);
    }

    public async Task ConnectAsync(List<Client> clients, int total, int parallel)
    {
        var todo = total - clients.Count;
        var added = new ConcurrentBag<Client>();
        await Parallel.ForEachAsync(Enumerable.Range(0, todo), new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (_, ct) =>
        {
            for (var attempt = 0; attempt < 3; attempt++)
            {
                var c = NewClient();
                try
                {
                    await c.Connection.StartAsync(ct);
                    await SubscribeAsync(c, -1);
                    added.Add(c);
                    return;
                }
                catch (Exception)
                {
                    Interlocked.Increment(ref ConnectFailures);
                    await c.Connection.DisposeAsync();
                }
            }
        });
        clients.AddRange(added);
    }

    private Client NewClient()
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(server, "/hubs/live"), o =>
            {
                o.Transports = HttpTransportType.WebSockets;
            })
            .AddJsonProtocol(o => o.PayloadSerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower)
            .WithStatefulReconnect()
            .Build();
        var c = new Client { Connection = connection };
        connection.On<JsonElement>("incident_created", p => c.Inbox.Enqueue(Arrival(p, "id")));
        connection.On<JsonElement>("incident_updated", p => c.Inbox.Enqueue(Arrival(p, "id")));
        connection.On<JsonElement>("cluster_updated", p => c.Inbox.Enqueue(Arrival(p, "incident_id")));
        return c;
    }

    private static Received Arrival(JsonElement p, string idProperty) =>
        new(p.GetProperty(idProperty).GetString()!, Stopwatch.GetTimestamp(), p.GetProperty("updated_at").GetDateTime().ToUniversalTime(), DateTime.UtcNow);

    /// <summary>Area −1 is the broadcast box; 0… are the fan-out areas (a grid of 5 × 10 over the Stockholm region, then further east).</summary>
    private static async Task SubscribeAsync(Client c, int area)
    {
        var (lat, lon, dLat, dLon) = area < 0 ? (BoxLat, BoxLon, 0.02, 0.04) : (AreaLat(area), AreaLon(area), 0.006, 0.012);
        await c.Connection.InvokeAsync<JsonElement>("Subscribe", new { min_lat = lat - dLat, min_lon = lon - dLon, max_lat = lat + dLat, max_lon = lon + dLon });
        c.Area = area;
    }

    // ~9 km apart (0.08° × 0.16° at 59° N), far more than a subscription box plus the res-7 cells touching it and a
    // sparse cluster's res-7 published cell: a report reaches the subscribers of its own area only.
    private static double AreaLat(int area) => 59.10 + 0.08 * (area / 10 % 5);
    private static double AreaLon(int area) => 17.30 + 0.16 * (area % 10) + 1.6 * (area / 50);

    private async Task<(string? IncidentId, double Ms)> SubmitAsync(double lat, double lon)
    {
        var i = Interlocked.Increment(ref _reports);
        var id = $"{Environment.ProcessId}-{i}-{Guid.NewGuid():N}";
        var body = new
        {
            category = Categories[i % Categories.Length],
            latitude = lat,
            longitude = lon,
            accuracy_m = 15,
            occurred_at = DateTime.UtcNow.AddMinutes(-5),
            description = "live bench report " + id,
            device_id = "bench-device-" + id,
            media_ids = Array.Empty<Guid>(),
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/reports/submit") { Content = JsonContent.Create(body, options: Snake) };
        request.Headers.Add("Idempotency-Key", "bench-" + id);
        var t = Stopwatch.GetTimestamp();
        using var response = await http.SendAsync(request);
        var ms = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
        if (!response.IsSuccessStatusCode) return (null, ms);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (doc.RootElement.GetProperty("incident_id").GetString(), ms);
    }

    public async Task<BroadcastResult> BroadcastAsync(List<Client> clients, int count)
    {
        await Parallel.ForEachAsync(clients.Where(c => c.Area != -1), new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (c, _) => await SubscribeAsync(c, -1));
        foreach (var c in clients) c.Inbox.Clear();
        var latencies = new List<double>(clients.Count * count);
        var stamped = new List<double>(clients.Count * count);
        var submits = new List<double>();
        long expected = 0, missing = 0, stale = 0;
        var rnd = new Random(42);
        for (var b = 0; b < count; b++)
        {
            // Reports of one category a few rounds apart join the same cluster incident, so a message for this id can be
            // an earlier report's (still in flight, or a cluster update): only one stamped at or after this send is this
            // report's. Same machine, same wall clock as the server.
            var sentWall = DateTime.UtcNow;
            var sent = Stopwatch.GetTimestamp();
            var (incident, ms) = await SubmitAsync(BoxLat + (rnd.NextDouble() - 0.5) * 0.01, BoxLon + (rnd.NextDouble() - 0.5) * 0.02);
            submits.Add(ms);
            if (incident is null) { Console.WriteLine("a broadcast submit failed"); continue; }
            // Wait until every connection has it (or 10 s), then read each one's first arrival after the send.
            var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 10;
            bool Ours(Received r) => r.Id == incident && r.At > sent && r.ServerStamp >= sentWall;
            bool All() => clients.All(c => c.Inbox.Any(Ours));
            while (!All() && Stopwatch.GetTimestamp() < deadline) await Task.Delay(50);
            foreach (var c in clients)
            {
                expected++;
                stale += c.Inbox.Count(r => r.Id == incident && r.At > sent && r.ServerStamp < sentWall);
                var first = c.Inbox.Where(Ours).MinBy(r => r.At);
                if (first is null) missing++;
                else
                {
                    latencies.Add((first.At - sent) * 1000.0 / Stopwatch.Frequency);
                    stamped.Add((first.Wall - first.ServerStamp).TotalMilliseconds);
                }
                c.Inbox.Clear();
            }
            await Task.Delay(250);
        }
        return new BroadcastResult(new Samples(latencies), expected, missing, new Samples(submits), new Samples(stamped), stale);
    }

    public async Task<string> FanOutAsync(List<Client> clients, int areas, int perSecond, int secs)
    {
        var index = 0;
        foreach (var c in clients) c.Area = index++ % areas; // assigned first; joined below
        await Parallel.ForEachAsync(clients, new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (c, _) => await SubscribeAsync(c, c.Area));
        var perArea = clients.GroupBy(c => c.Area).ToDictionary(g => g.Key, g => g.Count());
        foreach (var c in clients) c.Inbox.Clear();

        var rnd = new Random(7);
        var start = Stopwatch.GetTimestamp();
        var submits = new ConcurrentBag<double>();
        var inFlight = new List<Task>();
        long expected = 0, failures = 0;
        var total = perSecond * secs;
        for (var i = 0; i < total; i++)
        {
            // Paced: report i starts at i / rate seconds after the start, whether or not earlier ones have answered.
            var due = start + (long)(Stopwatch.Frequency * (double)i / perSecond);
            var wait = due - Stopwatch.GetTimestamp();
            if (wait > 0) await Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency));
            var area = rnd.Next(areas);
            var lat = AreaLat(area) + (rnd.NextDouble() - 0.5) * 0.004;
            var lon = AreaLon(area) + (rnd.NextDouble() - 0.5) * 0.008;
            inFlight.Add(Task.Run(async () =>
            {
                var (incident, ms) = await SubmitAsync(lat, lon);
                submits.Add(ms);
                if (incident is null) Interlocked.Increment(ref failures);
                else Interlocked.Add(ref expected, 2L * perArea.GetValueOrDefault(area)); // incident_* + cluster_updated to each subscriber
            }));
        }
        await Task.WhenAll(inFlight);
        var sentEnd = Stopwatch.GetTimestamp();
        // Drain: stop when nothing has arrived for 2 s (or 15 s after the last send).
        var lastCount = -1L;
        var quietSince = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(sentEnd) < TimeSpan.FromSeconds(15))
        {
            var count = clients.Sum(c => (long)c.Inbox.Count);
            if (count != lastCount) { lastCount = count; quietSince = Stopwatch.GetTimestamp(); }
            else if (Stopwatch.GetElapsedTime(quietSince) > TimeSpan.FromSeconds(2)) break;
            await Task.Delay(200);
        }
        var arrivals = clients.SelectMany(c => c.Inbox.Select(r => r.At)).Order().ToList();
        foreach (var c in clients) c.Inbox.Clear();
        if (arrivals.Count == 0) return "nothing delivered";
        var window = (arrivals[^1] - start) / (double)Stopwatch.Frequency;
        var perSecondCounts = arrivals.GroupBy(a => (int)((a - start) / Stopwatch.Frequency)).Select(g => g.Count()).ToList();
        var steady = perSecondCounts.Take(Math.Max(1, secs)).Skip(1).DefaultIfEmpty(0).ToList(); // seconds 1…secs−1: the steady part
        var s = new Samples([.. submits]);
        return $"{total} reports at {perSecond}/s for {secs} s ({failures} failed), ~{clients.Count / areas} subscribers per area: " +
               $"delivered {arrivals.Count:N0} of {expected:N0} expected messages in {window:F1} s = **{arrivals.Count / window:F0} msg/s** " +
               $"(per-second min {steady.Min():N0}, max {steady.Max():N0}); submit POST p50 {s.P(50):F0} ms, p99 {s.P(99):F0} ms";
    }
}

internal sealed class Args(Dictionary<string, string> values)
{
    public static Args Parse(string[] args)
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2) d[args[i].TrimStart('-')] = args[i + 1];
        return new Args(d);
    }

    public string Get(string key, string fallback) => values.GetValueOrDefault(key, fallback);
    public int Int(string key, int fallback) => int.Parse(Get(key, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
}
