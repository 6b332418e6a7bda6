using System.Globalization;
using Halo.Api.Features.Reports;

namespace Halo.App.Services;

public enum OutboxState { Queued, Failed }

/// <summary>
/// A report waiting to be sent, with its Idempotency-Key (made when the report is created, kept for every attempt, so a
/// retry after a lost answer is recognised by the server) and, once uploaded, its photo's media id.
/// </summary>
public sealed record OutboxItem
{
    public long Seq { get; init; }
    public required string Key { get; init; }
    public required SubmitReportRequest Report { get; init; }
    public string? PhotoName { get; init; }
    public string? PhotoType { get; init; }
    public bool HasPhoto { get; init; }
    public Guid? MediaId { get; init; }
    /// <summary>An evidence clip (video and audio from "Record evidence") stored with the report, and once uploaded its media id.</summary>
    public bool HasClip { get; init; }
    public string? ClipName { get; init; }
    public string? ClipType { get; init; }
    public Guid? ClipMediaId { get; init; }
    public OutboxState State { get; init; }
    public int Attempts { get; init; }
    public DateTimeOffset? NextAttemptAt { get; init; }
    /// <summary>Why the last attempt failed: the server's words for a definitive refusal, else the transient reason.</summary>
    public string? Error { get; init; }
    public int? ErrorStatus { get; init; }
    /// <summary>A definitive refusal's per-field messages (400/422 ProblemDetails errors).</summary>
    public Dictionary<string, string[]>? FieldErrors { get; init; }
    /// <summary>The refusal was a media upload's (the photo or the clip), not the report's.</summary>
    public bool PhotoRefused { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
}

/// <summary>Where queued reports live: IndexedDB in the browser (halo-outbox.js), so they survive reloads and restarts.</summary>
public interface IOutboxStore
{
    /// <summary>Stores a new item (with its photo and evidence clip bytes, if any) and returns it with its sequence number.</summary>
    Task<OutboxItem> AddAsync(OutboxItem item, byte[]? photo, byte[]? clip = null);
    Task PutAsync(OutboxItem item);
    Task DeleteAsync(long seq);
    /// <summary>Every item, oldest first.</summary>
    Task<IReadOnlyList<OutboxItem>> ListAsync();
    Task<byte[]?> PhotoAsync(long seq);
    Task<byte[]?> ClipAsync(long seq);
}

/// <summary>What one attempt came to.</summary>
public abstract record SendOutcome
{
    public sealed record Sent(SubmitReportResponse Response) : SendOutcome;
    public sealed record Problem(ApiProblem Value) : SendOutcome;
}

/// <summary>
/// The outbox's rules: after an attempt, is the item done, retried (when), or refused for good. Network errors, 408,
/// 5xx, 429 and "request in progress" are retried with exponential backoff (2 s doubling to 5 min), or after the
/// server's Retry-After when it gives one; any other 4xx is a definitive refusal, kept with its error and not retried.
/// </summary>
public static class OutboxPolicy
{
    public static readonly TimeSpan FirstBackoff = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(5);

    public static bool IsRetriable(ApiProblem p) =>
        p.Status is 0 or 408 or 429 or >= 500
        // The server still works on the first request with this key: the answer will be there shortly.
        || p.Status == 409 && string.Equals(p.Title, "Request in progress", StringComparison.OrdinalIgnoreCase);

    public static TimeSpan Backoff(int attempts) =>
        TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, FirstBackoff.Ticks * (1L << Math.Clamp(attempts - 1, 0, 20))));

    /// <summary>The item after a failed attempt (<paramref name="problem"/>) at <paramref name="now"/>.</summary>
    public static OutboxItem AfterProblem(OutboxItem item, ApiProblem problem, DateTimeOffset now, bool photo = false)
    {
        var attempts = item.Attempts + 1;
        var error = problem.Detail ?? problem.Title ?? problem.Status.ToString(CultureInfo.InvariantCulture);
        if (!IsRetriable(problem))
            return item with
            {
                State = OutboxState.Failed, Attempts = attempts, NextAttemptAt = null, Error = error, ErrorStatus = problem.Status,
                FieldErrors = problem.Errors.Count > 0 ? problem.Errors.ToDictionary() : null, PhotoRefused = photo,
            };
        var wait = problem.RetryAfter is { } ra && ra > TimeSpan.Zero ? ra : Backoff(attempts);
        return item with { State = OutboxState.Queued, Attempts = attempts, NextAttemptAt = now + wait, Error = error, ErrorStatus = problem.Status };
    }
}

/// <summary>
/// The offline outbox: every report goes through it. Items are sent one at a time, oldest first (a waiting item holds
/// back the later ones, so the server receives them in the order they were made), when the browser is online.
/// </summary>
public sealed class Outbox(IOutboxStore store, HaloApiClient api, AppSettings settings, TimeProvider clock)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, SubmitReportResponse> _outcomes = new();
    private IReadOnlyList<OutboxItem> _items = [];
    private CancellationTokenSource? _timer;
    private bool _loaded;

    /// <summary>Everything in the outbox, oldest first (queued and refused).</summary>
    public IReadOnlyList<OutboxItem> Items => _items;
    public int QueuedCount => _items.Count(i => i.State == OutboxState.Queued);
    public bool Online { get; private set; } = true;
    public bool Syncing { get; private set; }

    public event Action? Changed;

    public async Task LoadAsync()
    {
        if (_loaded) return;
        _loaded = true;
        _items = await store.ListAsync();
        Changed?.Invoke();
    }

    /// <summary>Queues a report, with its photo and evidence clip if any; its Idempotency-Key is made here, once.</summary>
    public async Task<OutboxItem> EnqueueAsync(SubmitReportRequest report, byte[]? photo, string? photoName, string? photoType,
        byte[]? clip = null, string? clipName = null, string? clipType = null)
    {
        await LoadAsync();
        var item = await store.AddAsync(new OutboxItem
        {
            Key = Guid.NewGuid().ToString(), Report = report, HasPhoto = photo is not null, PhotoName = photoName, PhotoType = photoType,
            HasClip = clip is not null, ClipName = clipName, ClipType = clipType,
            State = OutboxState.Queued, CreatedAt = clock.GetUtcNow(),
        }, photo, clip);
        await ReloadAsync();
        return item;
    }

    public async Task DeleteAsync(long seq)
    {
        await store.DeleteAsync(seq);
        await ReloadAsync();
    }

    /// <summary>Changes a queued report before it is sent (same key: it is still the same report, not yet received).</summary>
    public async Task UpdateAsync(OutboxItem item)
    {
        await store.PutAsync(item);
        await ReloadAsync();
    }

    /// <summary>The server's answer to an item sent during this session, by its key.</summary>
    public SubmitReportResponse? OutcomeOf(string key) => _outcomes.GetValueOrDefault(key);

    public OutboxItem? Find(string key) => _items.FirstOrDefault(i => i.Key == key);

    public async Task SetOnlineAsync(bool online)
    {
        Online = online;
        Changed?.Invoke();
        if (online) await SyncAsync(ignoreBackoff: true);
    }

    /// <summary>
    /// Sends what is due, oldest first, and stops at the first item that has to wait (it is then retried by a timer).
    /// <paramref name="ignoreBackoff"/>: the network just came back, so try now rather than at the backed-off time.
    /// </summary>
    public async Task SyncAsync(bool ignoreBackoff = false)
    {
        await LoadAsync();
        if (!await _gate.WaitAsync(0)) return; // a sync is running; it reads the list again as it goes
        try
        {
            Syncing = true;
            Changed?.Invoke();
            while (true)
            {
                var item = (await store.ListAsync()).FirstOrDefault(i => i.State == OutboxState.Queued);
                if (item is null) break;
                var now = clock.GetUtcNow();
                if (!ignoreBackoff && item.NextAttemptAt is { } at && at > now) { Schedule(at - now); break; }
                ignoreBackoff = false;
                var next = await AttemptAsync(item);
                if (next is null) continue; // sent and removed
                await store.PutAsync(next);
                _items = await store.ListAsync();
                Changed?.Invoke();
                if (next.State == OutboxState.Queued) { Schedule(next.NextAttemptAt!.Value - clock.GetUtcNow()); break; }
            }
        }
        finally
        {
            Syncing = false;
            _gate.Release();
            await ReloadAsync();
        }
    }

    /// <summary>One attempt: the photo and the clip first (each once), then the report. Null when it was received.</summary>
    private async Task<OutboxItem?> AttemptAsync(OutboxItem item)
    {
        if (item.HasPhoto && item.MediaId is null)
        {
            var bytes = await store.PhotoAsync(item.Seq);
            if (bytes is not null)
            {
                using var stream = new MemoryStream(bytes);
                var upload = await api.UploadMediaAsync(stream, item.PhotoName ?? "photo", item.PhotoType ?? "application/octet-stream", settings.DeviceId);
                if (!upload.Ok) return OutboxPolicy.AfterProblem(item, upload.Problem!, clock.GetUtcNow(), photo: true);
                item = item with { MediaId = upload.Value!.MediaId };
                await store.PutAsync(item); // a retry of the report must not upload the photo again
            }
        }
        if (item.HasClip && item.ClipMediaId is null)
        {
            var bytes = await store.ClipAsync(item.Seq);
            if (bytes is not null)
            {
                using var stream = new MemoryStream(bytes);
                var upload = await api.UploadMediaAsync(stream, item.ClipName ?? "evidence.webm", item.ClipType ?? "video/webm", settings.DeviceId);
                if (!upload.Ok) return OutboxPolicy.AfterProblem(item, upload.Problem!, clock.GetUtcNow(), photo: true);
                item = item with { ClipMediaId = upload.Value!.MediaId };
                await store.PutAsync(item);
            }
        }
        List<Guid> media = [.. item.Report.MediaIds ?? []];
        if (item.MediaId is { } m) media.Add(m);
        if (item.ClipMediaId is { } cm) media.Add(cm);
        var report = media.Count == (item.Report.MediaIds?.Count ?? 0) ? item.Report : item.Report with { MediaIds = media };
        var result = await api.SubmitReportAsync(report, item.Key);
        if (!result.Ok) return OutboxPolicy.AfterProblem(item, result.Problem!, clock.GetUtcNow());
        var r = result.Value!;
        _outcomes[item.Key] = r;
        await store.DeleteAsync(item.Seq);
        await settings.RememberReportAsync(new SentReport(r.ReportId, r.IncidentId, item.Report.Category ?? "", clock.GetUtcNow().UtcDateTime,
            r.IsNewIncident, r.UniqueReporters, r.Verification, r.IsVerified));
        return null;
    }

    private void Schedule(TimeSpan wait)
    {
        _timer?.Cancel();
        var cts = _timer = new CancellationTokenSource();
        _ = Task.Run(async () =>
        {
            try { await Task.Delay(wait < TimeSpan.Zero ? TimeSpan.Zero : wait, clock, cts.Token); }
            catch (OperationCanceledException) { return; }
            await SyncAsync();
        });
    }

    private async Task ReloadAsync()
    {
        _items = await store.ListAsync();
        Changed?.Invoke();
    }
}

/// <summary>An outbox kept in memory (no browser): for hosts without IndexedDB and for tests.</summary>
public sealed class MemoryOutboxStore : IOutboxStore
{
    private readonly SortedDictionary<long, (OutboxItem Item, byte[]? Photo, byte[]? Clip)> _items = new();
    private long _next = 1;

    public Task<OutboxItem> AddAsync(OutboxItem item, byte[]? photo, byte[]? clip = null)
    {
        lock (_items)
        {
            var stored = item with { Seq = _next++ };
            _items[stored.Seq] = (stored, photo, clip);
            return Task.FromResult(stored);
        }
    }

    public Task PutAsync(OutboxItem item)
    {
        lock (_items) if (_items.TryGetValue(item.Seq, out var e)) _items[item.Seq] = (item, e.Photo, e.Clip);
        return Task.CompletedTask;
    }

    public Task DeleteAsync(long seq) { lock (_items) _items.Remove(seq); return Task.CompletedTask; }

    public Task<IReadOnlyList<OutboxItem>> ListAsync() { lock (_items) return Task.FromResult<IReadOnlyList<OutboxItem>>(_items.Values.Select(v => v.Item).ToList()); }

    public Task<byte[]?> PhotoAsync(long seq) { lock (_items) return Task.FromResult(_items.TryGetValue(seq, out var e) ? e.Photo : null); }

    public Task<byte[]?> ClipAsync(long seq) { lock (_items) return Task.FromResult(_items.TryGetValue(seq, out var e) ? e.Clip : null); }
}
