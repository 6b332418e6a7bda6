using System.Diagnostics.Metrics;
using Halo.Api.Data;
using Halo.Api.Features.Ingestion;
using Halo.Api.Features.ModelRegistry;
using Microsoft.EntityFrameworkCore;

namespace Halo.Api.Infrastructure.Observability;

/// <summary>
/// Halo's own instruments, on the meter <see cref="MeterName"/>: what operators ask of a running Halo (are reports coming
/// in, are the models and the feed fresh, how often are clients retrying). Counters are counted from the answers the
/// endpoints gave (<see cref="Telemetry.UseObservability"/>), so the features stay free of metrics code; gauges are read at scrape time.
/// </summary>
public sealed class HaloMetrics : IDisposable
{
    public const string MeterName = "Halo";

    /// <summary>The live-updates feature's meter (connections, fan-out); exported beside Halo's own.</summary>
    public const string LiveMeterName = "Halo.Live";

    private readonly Meter _meter;
    private readonly IServiceScopeFactory _scopes;
    private readonly TimeProvider _clock;
    private readonly ILogger<HaloMetrics> _logger;

    public HaloMetrics(IMeterFactory meters, IServiceScopeFactory scopes, TimeProvider clock, ILogger<HaloMetrics> logger)
    {
        (_scopes, _clock, _logger) = (scopes, clock, logger);
        _meter = meters.Create(MeterName);
        ReportsSubmitted = _meter.CreateCounter<long>("halo.reports.submitted", "{report}",
            "Citizen reports accepted (first submissions; Prometheus: rate(halo_reports_submitted_total[1m]) * 60 is reports per minute).");
        IdempotentReplays = _meter.CreateCounter<long>("halo.reports.idempotent_replays", "{request}",
            "Report submissions answered from the stored result of an earlier request with the same Idempotency-Key (client retries).");
        PredictionsServed = _meter.CreateCounter<long>("halo.predictions.served", "{response}",
            "Successful answers of the predictions API, by endpoint.");
        ClassifierCalls = _meter.CreateCounter<long>("halo.classifier.calls", "{call}",
            "Calls of POST /api/v1/classify, by HTTP status.");
        _meter.CreateObservableGauge("halo.ingestion.lag", ReadIngestionLag, "s",
            "Seconds since the last successful ingestion run of each source finished.");
        _meter.CreateObservableGauge("halo.ingestion.feed_lag", ReadFeedLag, "s",
            "At the last successful run of each source: seconds between the newest event's publication and the end of the run.");
        _meter.CreateObservableGauge("halo.model.age", ReadModelAges, "s",
            "Seconds since the newest ready model of each kind (risk, classifier) was trained.");
    }

    public Counter<long> ReportsSubmitted { get; }
    public Counter<long> IdempotentReplays { get; }
    public Counter<long> PredictionsServed { get; }
    public Counter<long> ClassifierCalls { get; }

    /// <summary>Counts one finished request by the endpoint it hit (its route pattern) and its answer.</summary>
    public void Count(string? routePattern, string method, int status, bool replayed)
    {
        switch (routePattern)
        {
            case "/api/v1/reports/submit" when HttpMethods.IsPost(method):
                if (replayed) IdempotentReplays.Add(1);
                else if (status == StatusCodes.Status201Created) ReportsSubmitted.Add(1);
                break;
            case "/api/v1/classify" when HttpMethods.IsPost(method):
                ClassifierCalls.Add(1, new KeyValuePair<string, object?>("http.response.status_code", status));
                break;
            case { } p when p.StartsWith("/api/v1/predictions/", StringComparison.Ordinal) && status is >= 200 and < 300:
                PredictionsServed.Add(1, new KeyValuePair<string, object?>("endpoint", p["/api/v1/predictions/".Length..]));
                break;
        }
    }

    // The gauges read the store when scraped (every 15–60 s, from one scraper): a bounded query each, and no value at all
    // when the store cannot answer, rather than a stale one.

    private IEnumerable<Measurement<double>> ReadIngestionLag() =>
        Read(db => LastSuccessfulRuns(db).Select(r => new Measurement<double>(Seconds(r.FinishedAt!.Value), Source(r.Source))));

    private IEnumerable<Measurement<double>> ReadFeedLag() =>
        Read(db => LastSuccessfulRuns(db).Where(r => r.LagSeconds is not null).Select(r => new Measurement<double>(r.LagSeconds!.Value, Source(r.Source))));

    /// <summary>The newest successful run of each source (there are few sources).</summary>
    private static List<IngestionRun> LastSuccessfulRuns(HaloDbContext db)
    {
        var runs = db.Set<IngestionRun>().AsNoTracking().Where(r => r.Succeeded && r.FinishedAt != null);
        return runs.Select(r => r.Source).Distinct().ToList()
            .Select(s => runs.Where(r => r.Source == s).OrderByDescending(r => r.FinishedAt).First()).ToList();
    }

    private static KeyValuePair<string, object?> Source(string source) => new("source", source);

    private IEnumerable<Measurement<double>> ReadModelAges() =>
        Read(db => db.Set<ModelVersion>().AsNoTracking().Where(m => m.Status == ModelStatus.Ready)
            .GroupBy(m => m.Kind).Select(g => new { Kind = g.Key, At = g.Max(m => m.TrainedAt) }).ToList()
            .Select(x => new Measurement<double>(Seconds(x.At), new KeyValuePair<string, object?>("kind", x.Kind))));

    private double Seconds(DateTime utc) => Math.Max(0, (_clock.GetUtcNow().UtcDateTime - utc).TotalSeconds);

    private List<Measurement<double>> Read(Func<HaloDbContext, IEnumerable<Measurement<double>>> query)
    {
        try
        {
            using var scope = _scopes.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<HaloDbContext>();
            db.Database.SetCommandTimeout(TimeSpan.FromSeconds(2));
            return query(db).ToList();
        }
        catch (Exception e) when (StoreErrors.Unavailable(e) is not null || e is InvalidOperationException or TimeoutException)
        {
            _logger.LogDebug(e, "A Halo gauge could not read the store");
            return [];
        }
    }

    public void Dispose() => _meter.Dispose();
}
