using System.Net;
using System.Text.Json;
using Halo.Api.Data;
using Halo.Api.Features.Incidents;
using Halo.Api.Features.Ingestion.Geocoding;
using Microsoft.Extensions.Options;
using Polly.Timeout;

namespace Halo.Api.Features.Ingestion.Polisen;

/// <summary>
/// One poll of https://polisen.se/api/events: fetch, parse, upsert, record an <see cref="IngestionRun"/>.
/// Never throws (except on shutdown): every failure ends up in the run's error, which the status endpoint shows.
/// Runs never overlap, and calls are spaced by <see cref="PolisenPollerOptions.MinCallInterval"/> and any Retry-After.
/// </summary>
public sealed class PolisenPoller(
    IServiceScopeFactory scopes, IHttpClientFactory httpClients, IOptions<PolisenPollerOptions> options,
    PolisenEventParser parser, TimeProvider time, ILogger<PolisenPoller> logger)
{
    public const string HttpClientName = "polisen";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private DateTimeOffset? _lastCallAt;
    private DateTimeOffset? _notBefore;

    public bool IsRunning => _gate.CurrentCount == 0;

    /// <summary>Runs now unless a run is in progress (then returns null).</summary>
    public async Task<IngestionRun?> TryRunAsync(string trigger, CancellationToken ct)
    {
        if (!await _gate.WaitAsync(0, ct)) return null;
        try { return await RunCoreAsync(trigger, ct); }
        finally { _gate.Release(); }
    }

    private async Task<IngestionRun> RunCoreAsync(string trigger, CancellationToken ct)
    {
        var o = options.Value;
        await WaitForTurnAsync(o, ct);
        var run = new IngestionRun
        {
            Id = Guid.CreateVersion7(time.GetUtcNow()),
            Source = IncidentSources.Polisen,
            Trigger = trigger,
            StartedAt = time.GetUtcNow().UtcDateTime,
        };
        Exception? unexpected = null;
        try
        {
            var records = await FetchAsync(o, run, ct);
            if (records is not null)
            {
                using var scope = scopes.CreateScope();
                var importer = scope.ServiceProvider.GetRequiredService<IncidentImporter>();
                var result = await importer.ImportAsync(IncidentSources.Polisen, records.ToAsyncEnumerable(), ct: ct);
                (run.Fetched, run.New, run.Updated, run.Unchanged, run.Rejected) = (result.Read, result.New, result.Updated, result.Unchanged, result.Rejected);
                run.NewestEventAt = result.NewestPublishedAt;
                run.Succeeded = true;
                await RefineAsync(scope.ServiceProvider, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { throw; }
        catch (Exception ex)
        {
            run.Error ??= Describe(ex);
            // An unreachable or slow polisen.se is said in full by the message; anything else keeps its stack trace.
            if (ex is not (HttpRequestException or TimeoutRejectedException or TaskCanceledException)) unexpected = ex;
        }
        // One warning per failed run, whatever failed (an HTTP status and bad JSON throw nothing): the operator's log
        // says what the status endpoint says.
        if (!run.Succeeded) logger.LogWarning(unexpected, "Police poll failed: {Error}", run.Error);
        run.FinishedAt = time.GetUtcNow().UtcDateTime;
        if (run.NewestEventAt is { } newest) run.LagSeconds = Math.Round((run.FinishedAt.Value - newest).TotalSeconds, 1);
        await SaveRunAsync(run, ct);
        return run;
    }

    // Optional and best effort: a geocoder problem never fails the poll that stored the events.
    private async Task RefineAsync(IServiceProvider services, CancellationToken ct)
    {
        if (services.GetService<LocationRefiner>() is not { IsEnabled: true } refiner) return;
        try { await refiner.RefineRecentAsync(ct); }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            logger.LogWarning(ex, "Refining police positions failed");
        }
    }

    private async Task WaitForTurnAsync(PolisenPollerOptions o, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var due = _lastCallAt is { } last ? last + o.MinCallInterval : now;
        if (_notBefore is { } nb && nb > due) due = nb;
        if (due > now) await Task.Delay(due - now, time, ct);
        _lastCallAt = time.GetUtcNow();
    }

    /// <summary>GETs the feed; returns the parsed records, or null with <paramref name="run"/>'s error set.</summary>
    private async Task<List<ParsedRecord>?> FetchAsync(PolisenPollerOptions o, IngestionRun run, CancellationToken ct)
    {
        var http = httpClients.CreateClient(HttpClientName);
        using var response = await http.GetAsync(o.EventsPath, HttpCompletionOption.ResponseHeadersRead, ct);
        run.HttpStatus = (int)response.StatusCode;
        if (response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            var wait = RetryAfter(response) ?? o.Interval;
            _notBefore = time.GetUtcNow() + wait;
            run.Error = $"HTTP 429 Too Many Requests; next call not before {_notBefore:O} (Retry-After {wait.TotalSeconds:F0} s)";
            return null;
        }
        if (!response.IsSuccessStatusCode)
        {
            run.Error = $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}";
            return null;
        }
        if (response.Content.Headers.ContentLength > o.MaxResponseBytes)
        {
            run.Error = $"Response of {response.Content.Headers.ContentLength} bytes exceeds the {o.MaxResponseBytes}-byte limit";
            return null;
        }

        var body = await ReadBoundedAsync(response, o.MaxResponseBytes, ct);
        if (body is null)
        {
            run.Error = $"Response exceeds the {o.MaxResponseBytes}-byte limit";
            return null;
        }
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind != JsonValueKind.Array)
            {
                run.Error = $"Invalid response: expected a JSON array, got {doc.RootElement.ValueKind}";
                return null;
            }
            return doc.RootElement.EnumerateArray().Select(e => parser.Parse(e.Clone())).ToList();
        }
        catch (JsonException ex)
        {
            run.Error = $"Invalid JSON in response ({body.Length} bytes): {ex.Message}";
            return null;
        }
    }

    private static async Task<byte[]?> ReadBoundedAsync(HttpResponseMessage response, int max, CancellationToken ct)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int n;
        while ((n = await stream.ReadAsync(chunk, ct)) > 0)
        {
            buffer.Write(chunk, 0, n);
            if (buffer.Length > max) return null;
        }
        return buffer.ToArray();
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var h = response.Headers.RetryAfter;
        if (h?.Delta is { } d) return d;
        if (h?.Date is { } date) return date - time.GetUtcNow() is var w && w > TimeSpan.Zero ? w : TimeSpan.Zero;
        return null;
    }

    private static string Describe(Exception ex) => ex switch
    {
        TimeoutRejectedException => "Timed out waiting for polisen.se",
        TaskCanceledException => "Timed out waiting for polisen.se",
        HttpRequestException h => $"Network error: {h.Message}",
        _ => $"{ex.GetType().Name}: {ex.Message}",
    };

    private async Task SaveRunAsync(IngestionRun run, CancellationToken ct)
    {
        if (run.Error is { Length: > 2000 }) run.Error = run.Error[..2000];
        try
        {
            using var scope = scopes.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<HaloDbContext>();
            db.Set<IngestionRun>().Add(run);
            await db.SaveChangesAsync(ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "Could not record police poll run {RunId}", run.Id);
        }
    }
}

/// <summary>The schedule: first run after <c>StartDelay</c>, then every <c>Interval</c>. Off when <c>Enabled</c> is false.</summary>
public sealed class PolisenPollerJob(PolisenPoller poller, IOptions<PolisenPollerOptions> options, TimeProvider time,
    ILogger<PolisenPollerJob> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        if (!o.Enabled)
        {
            logger.LogInformation("Police poller is off (Ingestion:Polisen:Enabled=false)");
            return;
        }
        logger.LogInformation("Police poller: {BaseUrl}{Path} every {Interval}", o.BaseUrl, o.EventsPath, o.Interval);
        try
        {
            await Task.Delay(o.StartDelay, time, stoppingToken);
            using var timer = new PeriodicTimer(o.Interval, time);
            do
            {
                await poller.TryRunAsync(IngestionTriggers.Schedule, stoppingToken);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // shutting down
        }
    }
}
