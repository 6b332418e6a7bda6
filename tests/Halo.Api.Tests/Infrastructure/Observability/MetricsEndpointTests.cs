using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Halo.Api.Features.Ingestion;
using Halo.Api.Features.ModelRegistry;
using Halo.Api.Tests.Features.Media;
using static Halo.Api.Tests.Features.Reports.ReportTestHelpers;

namespace Halo.Api.Tests.Infrastructure.Observability;

/// <summary>
/// <c>/metrics</c>: Prometheus text with Halo's own instruments and the framework's, for loopback (and configured
/// scrapers) only. Counters are compared before and after.
/// </summary>
public abstract partial class MetricsEndpointTests(HaloApiFactory factory)
{
    internal static async Task<string> Scrape(HttpClient client, string from = "127.0.0.1")
    {
        var res = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/metrics").From(from));
        var text = await res.Content.ReadAsStringAsync();
        Assert.True(res.StatusCode == HttpStatusCode.OK, $"{(int)res.StatusCode}: {text}");
        return text;
    }

    /// <summary>The sum of a metric's samples whose labels contain <paramref name="label"/> (0 when absent).</summary>
    internal static double Value(string scrape, string metric, string? label = null) =>
        Sample().Matches(scrape).Where(m => m.Groups["name"].Value == metric && (label is null || m.Groups["labels"].Value.Contains(label, StringComparison.Ordinal)))
            .Sum(m => double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture));

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(?<labels>[^}]*)\})? (?<value>[-+0-9.eE]+|NaN)(?: \d+)?$", RegexOptions.Multiline)]
    private static partial Regex Sample();

    [Fact]
    public async Task AScrapeFromLoopbackCountsAcceptedReportsAndIdempotentReplays()
    {
        var client = factory.CreateClient();
        var before = await Scrape(client);
        var (lat, lon) = NewPlace();
        var body = Body(NewDevice(), lat, lon, factory.Now().AddMinutes(-5));
        var key = Guid.NewGuid().ToString("N");
        await client.SubmitOk(body, key);
        var replay = await client.SubmitRaw(body, key);
        Assert.Equal(HttpStatusCode.Created, replay.StatusCode);
        Assert.True(replay.Headers.Contains("Idempotent-Replayed"));
        await client.PostAsync("/api/v1/classify", new StringContent("""{"description":"someone stole my bike"}""", Encoding.UTF8, "application/json"));

        var after = await Scrape(client);
        Assert.True(Value(after, "halo_reports_submitted_total") >= Value(before, "halo_reports_submitted_total") + 1, after);
        Assert.True(Value(after, "halo_reports_idempotent_replays_total") >= Value(before, "halo_reports_idempotent_replays_total") + 1, after);
        Assert.True(Value(after, "halo_classifier_calls_total") >= Value(before, "halo_classifier_calls_total") + 1, after);
        // The framework's instruments: request durations by route, EF Core, the runtime.
        Assert.Contains("http_server_request_duration_seconds_bucket{", after);
        Assert.Matches(@"http_route=""/api/v1/reports/submit""", after);
        Assert.Contains("dotnet_gc_collections_total", after);
        Assert.Contains("microsoft_entityframeworkcore_", after);
    }

    [Fact]
    public async Task GaugesShowHowLongAgoTheFeedWasReadAndTheModelsWereTrained()
    {
        var now = factory.Now();
        var source = "test-" + Guid.NewGuid().ToString("N")[..8];
        var kind = "kind-" + Guid.NewGuid().ToString("N")[..8];
        await factory.WithDb(async db =>
        {
            db.Add(new IngestionRun { Id = Guid.NewGuid(), Source = source, Trigger = IngestionTriggers.Manual, StartedAt = now.AddMinutes(-16), FinishedAt = now.AddMinutes(-15), Succeeded = true, LagSeconds = 240 });
            // A later failed run does not count: the lag is from the last success.
            db.Add(new IngestionRun { Id = Guid.NewGuid(), Source = source, Trigger = IngestionTriggers.Manual, StartedAt = now.AddMinutes(-2), FinishedAt = now.AddMinutes(-1), Succeeded = false, Error = "HTTP 503" });
            db.Add(new ModelVersion { Id = Guid.NewGuid(), Kind = kind, Version = "v1", TrainedAt = now.AddHours(-30), Status = ModelStatus.Ready });
            db.Add(new ModelVersion { Id = Guid.NewGuid(), Kind = kind, Version = "v2", TrainedAt = now.AddHours(-3), Status = ModelStatus.Ready });
            db.Add(new ModelVersion { Id = Guid.NewGuid(), Kind = kind, Version = "v3", TrainedAt = now.AddHours(-1), Status = ModelStatus.Failed });
            return await db.SaveChangesAsync();
        });
        var scrape = await Scrape(factory.CreateClient());
        Assert.Equal(15 * 60, Value(scrape, "halo_ingestion_lag_seconds", $"source=\"{source}\""));
        Assert.Equal(240, Value(scrape, "halo_ingestion_feed_lag_seconds", $"source=\"{source}\""));
        Assert.Equal(3 * 3600, Value(scrape, "halo_model_age_seconds", $"kind=\"{kind}\""));
    }

    [Fact]
    public async Task AnotherAddressIsRefusedUnlessItIsAllowedOrBringsTheToken()
    {
        const string token = "scrape-token-0123456789abcdef";
        using var configured = new HaloApiFactory(factory.Provider)
            .With("Metrics:BearerToken", token).With("Metrics:AllowedAddresses:0", "127.0.0.0/8").With("Metrics:AllowedAddresses:1", "10.20.0.0/16");
        var client = configured.CreateClient();
        Assert.Equal(HttpStatusCode.Forbidden, (await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/metrics").From("198.51.100.7"))).StatusCode);
        // The refused request above is already counted by the framework's request instrument.
        Assert.Contains("http_server_request_duration_seconds", await Scrape(client, "10.20.3.4"));

        var wrong = new HttpRequestMessage(HttpMethod.Get, "/metrics").From("198.51.100.7");
        wrong.Headers.Authorization = new("Bearer", token + "x");
        Assert.Equal(HttpStatusCode.Forbidden, (await client.SendAsync(wrong)).StatusCode);
        var right = new HttpRequestMessage(HttpMethod.Get, "/metrics").From("198.51.100.7");
        right.Headers.Authorization = new("Bearer", token);
        var res = await client.SendAsync(right);
        Assert.Equal(HttpStatusCode.OK, res.StatusCode);
        Assert.Contains("http_server_request_duration_seconds", await res.Content.ReadAsStringAsync());
    }

    [Fact]
    public void AMalformedAllowListStopsTheStartNamingTheKey()
    {
        using var bad = new HaloApiFactory(factory.Provider).With("Metrics:AllowedAddresses:0", "10.0.0.1/8");
        var ex = Assert.ThrowsAny<Exception>(() => bad.CreateClient());
        Assert.Contains("Metrics:AllowedAddresses", ex.ToString());
    }
}

// The SDK listens to instruments by meter name across the process, so while other test hosts live their instruments
// would shadow this host's (same names) and come and go between two scrapes: these run alone.
[Collection(MeasuredCollection.Name)]
public sealed class SqliteMetricsEndpointTests(SqliteApiFactory f) : MetricsEndpointTests(f), IClassFixture<SqliteApiFactory>;
[Collection(MeasuredCollection.Name)]
public sealed class PostgresMetricsEndpointTests(PostgresApiFactory f) : MetricsEndpointTests(f), IClassFixture<PostgresApiFactory>;
