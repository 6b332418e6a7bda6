using System.Net;
using System.Text.Json;
using Halo.Api.Features.Reports;
using Halo.App.Services;
using Microsoft.Extensions.Time.Testing;

namespace Halo.App.Tests;

/// <summary>The outbox's state machine: what an attempt's answer does to a queued report, and the order of sending.</summary>
public sealed class OutboxTests
{
    private static readonly DateTimeOffset Now = new(2025, 6, 10, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _clock = new(Now);
    private readonly MemoryOutboxStore _store = new();
    private readonly List<string> _submitted = [];
    private Func<HttpRequestMessage, int, HttpResponseMessage> _answer;
    private int _submits, _uploads;
    private List<Guid> _mediaSent = [];

    public OutboxTests() => _answer = (_, _) => Created();

    private static SubmitReportRequest Report(string text) =>
        new("traffic", null, 59.33, 18.06, 10, Now.UtcDateTime.AddMinutes(-5), text, "web-outbox-test-device", [], null, null);

    private static HttpResponseMessage Created() => FakeApi.Json(HttpStatusCode.Created,
        new SubmitReportResponse(Guid.NewGuid(), Guid.NewGuid(), null, true, 1, 1, 0.3, false, "unverified", "r1"));

    private static HttpResponseMessage Status(int status, TimeSpan? retryAfter = null, string? title = null)
    {
        var r = new HttpResponseMessage((HttpStatusCode)status)
        {
            Content = new StringContent($$$"""{"title":"{{{title ?? "problem"}}}","status":{{{status}}},"errors":{"description":["Too long."]}}""", System.Text.Encoding.UTF8, "application/problem+json"),
        };
        if (retryAfter is { } ra) r.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(ra);
        return r;
    }

    /// <summary>
    /// A sync after the fake clock moved: advancing it fires the outbox's own retry timer, whose sync may be the one
    /// running (then this call returns at once), so wait for that to finish before looking.
    /// </summary>
    private static async Task SyncSettledAsync(Outbox box, bool ignoreBackoff = false)
    {
        await box.SyncAsync(ignoreBackoff);
        for (var i = 0; i < 500 && box.Syncing; i++) await Task.Delay(10);
    }

    private Outbox NewOutbox()
    {
        var api = new FakeApi(r =>
        {
            if (r.RequestUri!.AbsolutePath == "/api/v1/media" && ++_uploads > 0)
                return FakeApi.Json(HttpStatusCode.Created, new { media_id = Guid.NewGuid() });
            var body = r.Content!.ReadAsStringAsync().GetAwaiter().GetResult();
            var root = JsonDocument.Parse(body).RootElement;
            var text = root.GetProperty("description").GetString()!;
            var answer = _answer(r, ++_submits);
            if (answer.IsSuccessStatusCode)
                lock (_submitted)
                {
                    _submitted.Add($"{text}|{r.Headers.GetValues("Idempotency-Key").Single()}");
                    _mediaSent = root.TryGetProperty("media_ids", out var ids) ? [.. ids.EnumerateArray().Select(i => i.GetGuid())] : [];
                }
            return answer;
        });
        var browser = new FakeBrowser(new Bunit.BunitJSInterop().JSRuntime);
        var settings = new AppSettings(browser, new Strings());
        settings.LoadAsync().GetAwaiter().GetResult();
        var session = new AuthSession(browser, _clock);
        return new Outbox(_store, new HaloApiClient(new HttpClient(api) { BaseAddress = new Uri("http://halo.test/") }, session), settings, _clock);
    }

    [Fact]
    public async Task EachReportGetsItsOwnKeyWhenCreatedAndIsSentInOrderThenRemoved()
    {
        var box = NewOutbox();
        var a = await box.EnqueueAsync(Report("första"), null, null, null);
        var b = await box.EnqueueAsync(Report("andra"), [1, 2, 3], "p.jpg", "image/jpeg");
        Assert.NotEqual(a.Key, b.Key);
        Assert.True(Guid.TryParse(a.Key, out _));
        Assert.Equal(2, box.QueuedCount);

        await box.SyncAsync();

        Assert.Equal([$"första|{a.Key}", $"andra|{b.Key}"], _submitted);
        Assert.Empty(await _store.ListAsync());
        Assert.NotNull(box.OutcomeOf(b.Key));
    }

    [Fact]
    public async Task ANetworkErrorOrA5xxKeepsTheReportWithBackoffAndTheSameKey()
    {
        var box = NewOutbox();
        var a = await box.EnqueueAsync(Report("x"), null, null, null);
        _answer = (_, n) => n switch { 1 => throw new HttpRequestException("offline"), 2 => Status(503), _ => Created() };

        await box.SyncAsync();
        var after1 = Assert.Single(await _store.ListAsync());
        Assert.Equal(OutboxState.Queued, after1.State);
        Assert.Equal(1, after1.Attempts);
        Assert.Equal(Now + OutboxPolicy.Backoff(1), after1.NextAttemptAt);

        await box.SyncAsync(); // not due yet: nothing is sent
        Assert.Equal(1, _submits);

        _clock.Advance(OutboxPolicy.Backoff(1));
        await SyncSettledAsync(box);
        var after2 = Assert.Single(await _store.ListAsync());
        Assert.Equal(2, after2.Attempts);
        Assert.Equal(503, after2.ErrorStatus);
        Assert.Equal(_clock.GetUtcNow() + OutboxPolicy.Backoff(2), after2.NextAttemptAt);
        Assert.True(OutboxPolicy.Backoff(2) > OutboxPolicy.Backoff(1));

        _clock.Advance(OutboxPolicy.Backoff(2));
        await SyncSettledAsync(box);
        Assert.Equal([$"x|{a.Key}"], _submitted);
        Assert.Empty(await _store.ListAsync());
    }

    [Fact]
    public async Task A429IsRetriedAfterItsRetryAfterAndHoldsBackTheLaterReports()
    {
        var box = NewOutbox();
        await box.EnqueueAsync(Report("first"), null, null, null);
        await box.EnqueueAsync(Report("second"), null, null, null);
        _answer = (_, n) => n == 1 ? Status(429, TimeSpan.FromSeconds(17)) : Created();

        await box.SyncAsync();

        var items = await _store.ListAsync();
        Assert.Equal(2, items.Count);
        Assert.Equal(Now + TimeSpan.FromSeconds(17), items[0].NextAttemptAt);
        Assert.Null(items[1].NextAttemptAt); // not tried: the older one goes first
        Assert.Empty(_submitted);

        _clock.Advance(TimeSpan.FromSeconds(16));
        await SyncSettledAsync(box);
        Assert.Empty(_submitted);

        _clock.Advance(TimeSpan.FromSeconds(1));
        await SyncSettledAsync(box);
        Assert.Equal(["first", "second"], _submitted.Select(s => s.Split('|')[0]));
    }

    [Fact]
    public async Task ADefinitive4xxIsKeptWithItsErrorAndNeverRetriedWhileTheOthersGoOn()
    {
        var box = NewOutbox();
        await box.EnqueueAsync(Report("bad"), null, null, null);
        await box.EnqueueAsync(Report("good"), null, null, null);
        _answer = (r, n) => n == 1 ? Status(400) : Created();

        await box.SyncAsync();
        _clock.Advance(TimeSpan.FromHours(1));
        await SyncSettledAsync(box, ignoreBackoff: true);

        Assert.Equal(2, _submits); // the refused one was sent once
        var refused = Assert.Single(await _store.ListAsync());
        Assert.Equal(OutboxState.Failed, refused.State);
        Assert.Equal(400, refused.ErrorStatus);
        Assert.Equal("problem", refused.Error);
        Assert.Equal(["Too long."], refused.FieldErrors!["description"]);
        Assert.Equal(["good"], _submitted.Select(s => s.Split('|')[0]));
        Assert.Equal(0, box.QueuedCount);
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(408, true)]
    [InlineData(429, true)]
    [InlineData(500, true)]
    [InlineData(503, true)]
    [InlineData(400, false)]
    [InlineData(401, false)]
    [InlineData(409, false)]
    [InlineData(413, false)]
    [InlineData(422, false)]
    public void RetriedOnlyOnNetworkErrors5xxAnd429(int status, bool retried) =>
        Assert.Equal(retried, OutboxPolicy.IsRetriable(new ApiProblem(status, "x", null, new Dictionary<string, string[]>(), null)));

    [Fact]
    public void AnIdempotentRequestStillInProgressIsRetried() =>
        Assert.True(OutboxPolicy.IsRetriable(new ApiProblem(409, "Request in progress", null, new Dictionary<string, string[]>(), null)));

    [Fact]
    public void TheBackoffDoublesUpToFiveMinutes()
    {
        Assert.Equal(TimeSpan.FromSeconds(2), OutboxPolicy.Backoff(1));
        Assert.Equal(TimeSpan.FromSeconds(4), OutboxPolicy.Backoff(2));
        Assert.Equal(TimeSpan.FromSeconds(8), OutboxPolicy.Backoff(3));
        Assert.Equal(TimeSpan.FromMinutes(5), OutboxPolicy.Backoff(30));
    }

    [Fact]
    public async Task ThePhotoIsUploadedOnceEvenWhenTheReportIsRetried()
    {
        var box = NewOutbox();
        var item = await box.EnqueueAsync(Report("med foto"), [9, 9, 9], "p.png", "image/png");
        _answer = (_, n) => n == 1 ? Status(502) : Created();
        await box.SyncAsync();
        var kept = Assert.Single(await _store.ListAsync());
        Assert.NotNull(kept.MediaId); // stored after the upload, before the report was tried
        Assert.Equal(1, _uploads);

        _clock.Advance(OutboxPolicy.Backoff(1));
        await SyncSettledAsync(box);

        Assert.Empty(await _store.ListAsync());
        Assert.Equal(1, _uploads);
        Assert.Equal([$"med foto|{item.Key}"], _submitted);
    }

    [Fact]
    public async Task TheEvidenceClipIsStoredWithTheReportAndUploadedOnceBeforeIt()
    {
        var box = NewOutbox();
        var item = await box.EnqueueAsync(Report("med klipp"), [9, 9, 9], "p.png", "image/png", [1, 2, 3, 4], "evidence.webm", "video/webm");
        Assert.Equal([1, 2, 3, 4], await _store.ClipAsync(item.Seq));
        _answer = (_, n) => n == 1 ? Status(503) : Created();
        await box.SyncAsync();
        var kept = Assert.Single(await _store.ListAsync());
        Assert.NotNull(kept.MediaId);
        Assert.NotNull(kept.ClipMediaId);
        Assert.Equal(2, _uploads); // the photo and the clip

        _clock.Advance(OutboxPolicy.Backoff(1));
        await SyncSettledAsync(box);

        Assert.Empty(await _store.ListAsync());
        Assert.Equal(2, _uploads);
        Assert.Equal([$"med klipp|{item.Key}"], _submitted);
        Assert.Equal([kept.MediaId!.Value, kept.ClipMediaId!.Value], _mediaSent);
    }
}
