using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Halo.Api.Data;
using Halo.Api.Features.Incidents;
using Halo.Api.Features.Ingestion;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Halo.Api.Features.Ingestion.Polisen;
using Halo.Api.Features.Auth;

using Halo.Api.Tests.Infrastructure;

namespace Halo.Api.Tests.Features.Ingestion;

/// <summary>The poller against a fake police API over real HTTP on 127.0.0.1, driven through the trigger endpoint.</summary>
public class PolisenPollerTests
{
    private static readonly JsonSerializerOptions Snake = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private static Dictionary<string, string?> PollerSettings(string baseUrl, string minCallInterval = "00:00:00") => new()
    {
        ["Ingestion:Polisen:Enabled"] = "true",
        ["Ingestion:Polisen:BaseUrl"] = baseUrl,
        ["Ingestion:Polisen:StartDelay"] = "1.00:00:00", // no scheduled run during a test: the test triggers
        ["Ingestion:Polisen:Interval"] = "1.00:00:00",
        ["Ingestion:Polisen:MinCallInterval"] = minCallInterval,
        ["Ingestion:Polisen:AttemptTimeout"] = "00:00:01.500",
        ["Ingestion:Polisen:TotalTimeout"] = "00:00:10",
        ["Ingestion:Polisen:MaxRetries"] = "1",
        ["Ingestion:Polisen:RetryDelay"] = "00:00:00.010",
        ["Ingestion:Polisen:MaxRetryAfterWait"] = "00:00:01.500",
    };

    private static string EventsJson(IEnumerable<JsonElement> events, Func<string, string>? edit = null) =>
        "[" + string.Join(",", events.Select(e => edit is null ? e.GetRawText() : edit(e.GetRawText()))) + "]";

    private static async Task<IngestionRunDto> TriggerAsync(HttpClient client)
    {
        using var response = await client.PostAsync("/api/v1/admin/ingestion/trigger", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<IngestionRunDto>(Snake))!;
    }

    [Fact]
    public async Task SurvivesFaultsAndStoresEachEventOnceWithItsLatestText()
    {
        await using var police = await FakeHttpServer.StartAsync();
        await using var app = IngestionApi.Create(PollerSettings(police.BaseUrl));
        using var client = await app.CreateClientAsAsync(Roles.Admin);

        var first = SharedData.PolisenEvents.Skip(1000).Take(120).ToList();
        var second = SharedData.PolisenEvents.Skip(1060).Take(120).ToList(); // overlaps the first by 60
        var firstJson = EventsJson(first);

        // 1. Real events.
        police.Enqueue(FakeHttpServer.Json(firstJson));
        var ok = await TriggerAsync(client);
        Assert.True(ok.Succeeded);
        Assert.Equal((120, 120, 0), (ok.Fetched, ok.New, ok.Updated));
        Assert.NotNull(ok.LagSeconds);

        // 2. 500 on every attempt.
        police.Enqueue(FakeHttpServer.Status(500), FakeHttpServer.Status(500));
        var e500 = await TriggerAsync(client);
        Assert.False(e500.Succeeded);
        Assert.Contains("500", e500.Error, StringComparison.Ordinal);

        // 3. One 500 then success: the retry absorbs it.
        police.Enqueue(FakeHttpServer.Status(503), FakeHttpServer.Json(firstJson));
        var retried = await TriggerAsync(client);
        Assert.True(retried.Succeeded);
        Assert.Equal(120, retried.Unchanged);

        // 4. 429 with a short Retry-After is waited out, then the call succeeds.
        police.Enqueue(FakeHttpServer.Status(429, retryAfter: "1"), FakeHttpServer.Json("[]"));
        var before = police.Requests.Count;
        var waited = await TriggerAsync(client);
        Assert.True(waited.Succeeded);
        var calls = police.Requests.Skip(before).Select(r => r.At).ToList();
        Assert.Equal(2, calls.Count);
        Assert.True(calls[1] - calls[0] >= TimeSpan.FromSeconds(0.9), $"retried after {calls[1] - calls[0]}");

        // 5. 429 with a Retry-After longer than we wait in a run: the run fails and the next one holds off.
        police.Enqueue(FakeHttpServer.Status(429, retryAfter: "2"));
        var e429 = await TriggerAsync(client);
        Assert.False(e429.Succeeded);
        Assert.Equal(429, e429.HttpStatus);
        var failedAt = police.Requests.Last().At;

        // 6. A hang past the timeout (every attempt); this run also starts only after the Retry-After above.
        police.Enqueue(FakeHttpServer.Hang(TimeSpan.FromSeconds(30)), FakeHttpServer.Hang(TimeSpan.FromSeconds(30)));
        var hang = await TriggerAsync(client);
        Assert.False(hang.Succeeded);
        Assert.Contains("Timed out", hang.Error, StringComparison.Ordinal);
        Assert.True(police.Requests.Last().At - failedAt >= TimeSpan.FromSeconds(1.9));

        // 7. Truncated JSON, invalid JSON, a non-array, an empty array.
        police.Enqueue(FakeHttpServer.Json(EventsJson(second)[..5000]));
        var truncated = await TriggerAsync(client);
        police.Enqueue(FakeHttpServer.Json("<html>Service Unavailable</html>"));
        var html = await TriggerAsync(client);
        police.Enqueue(FakeHttpServer.Json("""{"error": "maintenance"}"""));
        var notArray = await TriggerAsync(client);
        Assert.All([truncated, html, notArray], r => { Assert.False(r.Succeeded); Assert.StartsWith("Invalid", r.Error, StringComparison.Ordinal); });
        police.Enqueue(FakeHttpServer.Json("[]"));
        var empty = await TriggerAsync(client);
        Assert.True(empty.Succeeded);
        Assert.Equal(0, empty.Fetched);

        // 8. The next page, overlapping, with every summary edited.
        police.Enqueue(FakeHttpServer.Json(EventsJson(second, raw => raw.Replace("\"summary\": \"", "\"summary\": \"[uppdaterad] ", StringComparison.Ordinal))));
        var edited = await TriggerAsync(client);
        Assert.True(edited.Succeeded);
        Assert.Equal((120, 60, 60), (edited.Fetched, edited.New, edited.Updated));

        // Each event exactly once, with its latest text.
        using (var scope = app.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<HaloDbContext>();
            var rows = await db.Incidents.Where(i => i.Source == IncidentSources.Polisen).ToListAsync();
            Assert.Equal(180, rows.Count);
            Assert.Equal(180, rows.Select(r => r.ExternalId).Distinct().Count());
            var secondIds = second.Select(e => e.GetProperty("id").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture)).ToHashSet();
            Assert.All(rows.Where(r => secondIds.Contains(r.ExternalId!)), r => Assert.StartsWith("[uppdaterad] ", r.Summary, StringComparison.Ordinal));
            Assert.All(rows.Where(r => !secondIds.Contains(r.ExternalId!)), r => Assert.DoesNotContain("[uppdaterad]", r.Summary, StringComparison.Ordinal));
        }

        // The status endpoint reports every failure.
        var status = (await client.GetFromJsonAsync<IngestionStatusDto>("/api/v1/admin/ingestion/status", Snake))!;
        Assert.Equal(11, status.RunsTotal);
        Assert.Equal(6, status.FailedRunsTotal);
        var failures = status.RecentRuns.Where(r => !r.Succeeded).Select(r => r.Id).ToHashSet();
        Assert.Equal(new[] { e500, e429, hang, truncated, html, notArray }.Select(r => r.Id).ToHashSet(), failures);
        Assert.Equal(edited.Id, status.LastRun!.Id);
        Assert.Equal(notArray.Id, status.LastFailure!.Id);
        Assert.Equal(180, status.IncidentsStored);

        // Every call identified itself.
        Assert.All(police.Requests, r => Assert.StartsWith("Halo/", r.UserAgent, StringComparison.Ordinal));
        Assert.All(police.Requests, r => Assert.Equal("/api/events", r.PathAndQuery));
    }

    [Fact]
    public async Task WithNoNetworkTheServiceKeepsRunningAndStatusShowsTheFailure()
    {
        // Port 9 on loopback: nothing listens, the connection is refused at once.
        await using var app = IngestionApi.Create(PollerSettings("http://127.0.0.1:9"));
        using var client = await app.CreateClientAsAsync(Roles.Admin);
        var run = await TriggerAsync(client);
        Assert.False(run.Succeeded);
        Assert.StartsWith("Network error", run.Error, StringComparison.Ordinal);

        var health = await client.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        var status = (await client.GetFromJsonAsync<IngestionStatusDto>("/api/v1/admin/ingestion/status", Snake))!;
        Assert.Equal(run.Id, status.LastFailure!.Id);
        Assert.Null(status.LastSuccess);
    }

    [Fact]
    public async Task AFailingPoliceApiIsOneWarningPerRunAndNoErrorInTheLog()
    {
        await using var police = await FakeHttpServer.StartAsync();
        using var app = new LogCapturingApiFactory(DbProvider.Sqlite) { UseRealClock = true };
        foreach (var (k, v) in PollerSettings(police.BaseUrl)) app.With(k, v);
        using var client = await app.CreateClientAsAsync(Roles.Admin);

        police.Enqueue(FakeHttpServer.Status(500), FakeHttpServer.Status(500));
        var e500 = await TriggerAsync(client);
        police.Enqueue(FakeHttpServer.Hang(TimeSpan.FromSeconds(30)), FakeHttpServer.Hang(TimeSpan.FromSeconds(30)));
        var hang = await TriggerAsync(client);
        police.Enqueue(FakeHttpServer.Json("<html>Service Unavailable</html>"));
        var html = await TriggerAsync(client);
        await police.DisposeAsync(); // then nothing listens: refused
        var refused = await TriggerAsync(client);

        var runs = new[] { e500, hang, html, refused };
        Assert.All(runs, r => Assert.False(r.Succeeded));
        var warnings = app.Logs.Entries.Where(e => e.Category == typeof(PolisenPoller).FullName && e.Level == LogLevel.Warning).ToList();
        Assert.Equal(runs.Select(r => $"Police poll failed: {r.Error}"), warnings.Select(w => w.Message));
        // What failed was outside: the message says it all, with no stack trace.
        Assert.All(warnings, w => Assert.Null(w.Exception));
        Assert.DoesNotContain(app.Logs.Entries, e => e.Level >= LogLevel.Error);
        // Nor at any other level (HttpClient's own request log records a failed attempt at Information, stack and all).
        Assert.DoesNotContain(app.Logs.Entries, e => e.Exception is not null);
    }

    [Fact]
    public async Task TriggerIsRefusedWhenThePollerIsDisabled()
    {
        await using var app = IngestionApi.Create();
        using var client = await app.CreateClientAsAsync(Roles.Admin);
        using var response = await client.PostAsync("/api/v1/admin/ingestion/trigger", null);
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var status = (await client.GetFromJsonAsync<IngestionStatusDto>("/api/v1/admin/ingestion/status", Snake))!;
        Assert.False(status.Enabled);
        Assert.Equal(0, status.RunsTotal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(Roles.Citizen)]
    public async Task StatusAndTriggerAreForAdminsOnly(string? role)
    {
        await using var app = IngestionApi.Create();
        using var client = role is null ? app.CreateClient() : await app.CreateClientAsAsync(role);
        using var status = await client.GetAsync("/api/v1/admin/ingestion/status");
        using var trigger = await client.PostAsync("/api/v1/admin/ingestion/trigger", null);
        var expected = role is null ? HttpStatusCode.Unauthorized : HttpStatusCode.Forbidden;
        Assert.Equal(expected, status.StatusCode);
        Assert.Equal(expected, trigger.StatusCode);
    }

    [Fact]
    public async Task CallsAreSpacedByAtLeastTheMinimumInterval()
    {
        await using var police = await FakeHttpServer.StartAsync();
        police.Default = FakeHttpServer.Json("[]");
        await using var app = IngestionApi.Create(PollerSettings(police.BaseUrl, minCallInterval: "00:00:10"), realClock: false);
        var clock = app.Clock;
        using var client = app.CreateClient();
        var poller = app.Services.GetRequiredService<Halo.Api.Features.Ingestion.Polisen.PolisenPoller>();

        Assert.True((await poller.TryRunAsync(IngestionTriggers.Manual, CancellationToken.None))!.Succeeded);
        Assert.Single(police.Requests);

        var next = poller.TryRunAsync(IngestionTriggers.Manual, CancellationToken.None);
        clock.Advance(TimeSpan.FromSeconds(9));
        Assert.Single(police.Requests); // not due yet
        Assert.Null(await poller.TryRunAsync(IngestionTriggers.Manual, CancellationToken.None)); // one run at a time
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True((await next)!.Succeeded);
        Assert.Equal(2, police.Requests.Count);
    }
}
