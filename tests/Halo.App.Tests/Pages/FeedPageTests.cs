using System.Net;
using Halo.Api.Features.Incidents;
using Halo.App.Pages;
using Halo.App.Services;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Halo.App.Tests.Pages;

public sealed class FeedPageTests : BunitContext
{
    private static readonly DateTimeOffset Now = new(2025, 6, 10, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeApi _api;
    private Func<string, IncidentPage> _incidents = _ => new IncidentPage([], 0, null);
    private readonly List<string> _queries = [];

    public FeedPageTests()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        _api = new FakeApi(r => _offline ? throw new HttpRequestException("offline")
            : r.RequestUri!.AbsolutePath == "/api/v1/incidents"
            ? FakeApi.Json(HttpStatusCode.OK, _incidents(Record(r.RequestUri.Query)))
            : FakeApi.Problem(HttpStatusCode.NotFound));
        var browser = new PositionedBrowser(JSInterop.JSRuntime);
        var strings = new Strings();
        var clock = new FakeTimeProvider(Now);
        var session = new AuthSession(browser, clock);
        Services.AddSingleton(strings);
        Services.AddSingleton<BrowserApi>(browser);
        Services.AddSingleton<TimeProvider>(clock);
        Services.AddSingleton(new MapOptions());
        var api = new HaloApiClient(new HttpClient(_api) { BaseAddress = new Uri("http://halo.test/") }, session);
        Services.AddSingleton(api);
        var settings = new AppSettings(browser, strings);
        Services.AddSingleton(settings);
        _live = new LiveUpdates(JSInterop.JSRuntime, session, api, settings);
        Services.AddSingleton(_live);
        Services.AddSingleton<ViewCache>(_cache);
    }

    private bool _offline;
    private readonly MemoryViewCache _cache = new(new FakeTimeProvider(Now.AddHours(-2)));

    /// <summary>The IndexedDB cache kept in memory, saving at a fixed time.</summary>
    private sealed class MemoryViewCache(TimeProvider clock) : ViewCache(null!)
    {
        private readonly Dictionary<string, string> _entries = [];

        public override Task PutAsync<T>(string key, T value)
        {
            _entries[key] = System.Text.Json.JsonSerializer.Serialize(value, HaloApiClient.Json);
            return Task.CompletedTask;
        }

        public override Task<Cached<T>?> GetAsync<T>(string key, string? prefix = null) =>
            Task.FromResult(_entries.TryGetValue(key, out var json)
                ? new Cached<T>(System.Text.Json.JsonSerializer.Deserialize<T>(json, HaloApiClient.Json)!, clock.GetUtcNow())
                : null);
    }

    private readonly LiveUpdates _live;

    private string Record(string query) { lock (_queries) _queries.Add(query); return query; }

    private sealed class PositionedBrowser(Microsoft.JSInterop.IJSRuntime js) : BrowserApi(js)
    {
        public override Task<GeoFix> LocateAsync(int timeoutMs = 15000, int maxAgeMs = 30000) => Task.FromResult(new GeoFix(59.3293, 18.0686, 20, null));
        public override Task<string?> GetAsync(string key) => Task.FromResult<string?>(null);
        public override Task SetAsync(string key, string? value) => Task.CompletedTask;
    }

    private static IncidentDto Incident(string category, DateTime at, double lat, double lon, bool verified, string source = "polisen") => new(
        Guid.NewGuid(), source, null, "Trafikolycka", category, 2, true, $"{category} title", $"{category} summary", at, at,
        lat, lon, null, 50, "89", "87", "active", verified, null, at, at);

    [Fact]
    public void ListsTheIncidentsAroundMeNewestFirstWithDistanceTimeAgoIconAndVerification()
    {
        var utc = Now.UtcDateTime;
        _incidents = _ => new IncidentPage([
            Incident("traffic", utc.AddMinutes(-12), 59.3293 + 0.0045, 18.0686, verified: true),     // 500 m north
            Incident("fire", utc.AddHours(-3), 59.3293, 18.0686 + 0.0352, verified: false),         // ~2.0 km east
            Incident("theft", utc.AddDays(-2), 59.3293, 18.0686, verified: false, source: "citizen"), // unverified citizen: not shown
            Incident("violence", utc.AddDays(-4), 59.3293 - 0.045, 18.0686, verified: true),        // 5.0 km south
        ], 4, null);
        var cut = Render<FeedPage>();

        cut.Find("button.btn").Click();

        cut.WaitForAssertion(() => Assert.Equal(3, cut.FindAll("[data-testid=feed-list] li").Count));
        var items = cut.FindAll("[data-testid=feed-list] li");
        Assert.Equal(["traffic", "fire", "violence"], items.Select(i => i.GetAttribute("data-category")));
        Assert.Equal(["500 m", "2,0 km", "5,0 km"], cut.FindAll("[data-testid=feed-distance]").Select(e => e.TextContent));
        Assert.Equal(["för 12 min sedan", "för 3 h sedan", "för 4 d sedan"], cut.FindAll("[data-testid=feed-ago]").Select(e => e.TextContent));
        Assert.Equal(["Bekräftad", "Ej bekräftad", "Bekräftad"], cut.FindAll("[data-testid=feed-verification]").Select(e => e.TextContent));
        Assert.Equal("🚦", items[0].QuerySelector(".feed-icon")!.TextContent);
        Assert.Equal("true", items[0].QuerySelector(".feed-icon")!.GetAttribute("aria-hidden"));
        Assert.Contains("Trafik", items[0].TextContent);
        // Asked for the last 30 days within 10 km of the position.
        Assert.Equal("?lat=59.3293&lon=18.0686&radius_km=10&limit=100&rolling_days=30", _queries[0]);
    }

    [Fact]
    public void TappingAnIncidentShowsItOnTheMap()
    {
        var it = Incident("traffic", Now.UtcDateTime.AddMinutes(-5), 57.70886, 11.97461, verified: true);
        _incidents = _ => new IncidentPage([it], 1, null);
        var cut = Render<FeedPage>();
        cut.Find("#feed-place").Change("Göteborg");
        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("[data-testid=feed-list] li")));

        cut.Find(".feed-item").Click();

        var nav = Services.GetRequiredService<NavigationManager>();
        Assert.Equal($"http://localhost/?lat=57.70886&lon=11.97461&zoom=14&incident={it.Id}", nav.Uri);
    }

    [Fact]
    public void WhenNothingHappenedLatelyItSaysSoAndOffersTheLatestPeriodWithItsDates()
    {
        var newest = new DateTime(2024, 5, 20, 10, 0, 0, DateTimeKind.Utc);
        _incidents = q => q.Contains("rolling_days", StringComparison.Ordinal) || q.Contains("from=", StringComparison.Ordinal)
            ? (q.Contains("from=", StringComparison.Ordinal) ? new IncidentPage([Incident("theft", newest, 65.58, 22.15, true)], 1, null) : new IncidentPage([], 0, null))
            : new IncidentPage([Incident("theft", newest, 65.58, 22.15, true)], 1, null);
        var cut = Render<FeedPage>();
        cut.Find("#feed-place").Change("Luleå");

        cut.WaitForAssertion(() => Assert.Contains("Inga händelser inom 10 km de senaste 30 dagarna", cut.Find("[data-testid=feed-empty]").TextContent));
        var sv = System.Globalization.CultureInfo.GetCultureInfo("sv-SE");
        var label = $"{newest.AddDays(-30).ToLocalTime().ToString("d MMM yyyy", sv)} – {newest.ToLocalTime().ToString("d MMM yyyy", sv)}";
        var offer = cut.Find("[data-testid=feed-empty] button");
        Assert.Contains(label, offer.TextContent);

        offer.Click();

        cut.WaitForAssertion(() => Assert.Contains(label, cut.Find("[data-testid=feed-period]").TextContent));
        Assert.Single(cut.FindAll("[data-testid=feed-list] li"));
    }

    [Fact]
    public void ALiveIncidentWithinTheRadiusJoinsTheListNewestFirstAndARemovedOneLeavesIt()
    {
        var utc = Now.UtcDateTime;
        _incidents = _ => new IncidentPage([Incident("traffic", utc.AddHours(-1), 59.3293, 18.0686, verified: true)], 1, null);
        var cut = Render<FeedPage>();
        cut.Find("#feed-place").Change("Stockholm");
        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("[data-testid=feed-list] li")));

        var near = Incident("fire", utc.AddMinutes(-2), 59.3293 + 0.009, 18.0686, verified: true);   // 1 km north
        var far = Incident("fire", utc.AddMinutes(-1), 59.3293 + 0.2, 18.0686, verified: true);      // 22 km: outside
        var unverified = Incident("theft", utc, 59.3293, 18.0686, verified: false, source: "citizen");
        foreach (var i in new[] { near, far, unverified })
            _live.OnMessage("incident_created", System.Text.Json.JsonSerializer.Serialize(i, HaloApiClient.Json));

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("[data-testid=feed-list] li").Count));
        Assert.Equal(near.Id.ToString(), cut.FindAll("[data-testid=feed-list] li")[0].GetAttribute("data-id"));
        Assert.Equal("1,0 km", cut.FindAll("[data-testid=feed-distance]")[0].TextContent);

        _live.OnMessage("incident_updated", System.Text.Json.JsonSerializer.Serialize(near with { Status = "deleted" }, HaloApiClient.Json));

        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("[data-testid=feed-list] li")));
        Assert.Equal("traffic", cut.Find("[data-testid=feed-list] li").GetAttribute("data-category"));
    }

    [Fact]
    public void OfflineTheFeedShowsWhatItLastShowedForThatPlaceMarkedStaleWithItsTime()
    {
        var utc = Now.UtcDateTime;
        _incidents = _ => new IncidentPage([Incident("traffic", utc.AddHours(-3), 59.3293, 18.0686, verified: true)], 1, null);
        var first = Render<FeedPage>();
        first.Find("#feed-place").Change("Stockholm");
        first.WaitForAssertion(() => Assert.Single(first.FindAll("[data-testid=feed-list] li")));
        Assert.Empty(first.FindAll("[data-testid=feed-stale]"));
        first.Dispose();

        _offline = true;
        var cut = Render<FeedPage>();
        cut.Find("#feed-place").Change("Stockholm");

        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("[data-testid=feed-list] li")));
        var sv = System.Globalization.CultureInfo.GetCultureInfo("sv-SE");
        Assert.Equal($"Offline – visar sparade data från {Now.AddHours(-2).ToLocalTime().ToString("g", sv)}.", cut.Find("[data-testid=feed-stale]").TextContent.Trim());
        Assert.Equal("traffic", cut.Find("[data-testid=feed-list] li").GetAttribute("data-category"));
        Assert.Empty(cut.FindAll("[role=alert]"));

        // A place never shown before has nothing saved: the error, not someone else's list.
        cut.Find("#feed-place").Change("Luleå");
        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("[role=alert]")));
        Assert.Empty(cut.FindAll("[data-testid=feed-list] li"));
        Assert.Empty(cut.FindAll("[data-testid=feed-stale]"));
    }
}
