using System.Net;
using System.Text.Json;
using Halo.Api.Features.Alerts;
using Halo.Api.Features.Live;
using Halo.App.Components;
using Halo.App.Pages;
using Halo.App.Services;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Halo.App.Tests;

/// <summary>The alert banner, the geofence's posts, the alert settings screen and the profile's push switch.</summary>
public sealed class AlertsTests : BunitContext
{
    private readonly FakeBrowser _browser;
    private readonly FakeApi _api;
    private readonly LiveUpdates _live;
    private readonly AlertCenter _alerts;
    private readonly Geofencing _geofence;
    private Func<HttpRequestMessage, HttpResponseMessage> _answer = _ => FakeApi.Problem(HttpStatusCode.NotFound);

    public AlertsTests()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        _browser = new FakeBrowser(JSInterop.JSRuntime);
        _api = new FakeApi(r => _answer(r));
        var strings = new Strings();
        var clock = new FakeTimeProvider(new DateTimeOffset(2025, 6, 10, 12, 0, 0, TimeSpan.Zero));
        var session = new AuthSession(_browser, clock);
        var settings = new AppSettings(_browser, strings);
        settings.LoadAsync().GetAwaiter().GetResult(); // English: the fake browser prefers en-GB
        var api = new HaloApiClient(new HttpClient(_api) { BaseAddress = new Uri("http://halo.test/") }, session);
        _live = new LiveUpdates(JSInterop.JSRuntime, session, api, settings);
        _alerts = new AlertCenter(JSInterop.JSRuntime, _live);
        _geofence = new Geofencing(JSInterop.JSRuntime, _browser, api, settings, _alerts);
        Services.AddSingleton(strings);
        Services.AddSingleton<BrowserApi>(_browser);
        Services.AddSingleton<TimeProvider>(clock);
        Services.AddSingleton(session);
        Services.AddSingleton(settings);
        Services.AddSingleton(api);
        Services.AddSingleton(_live);
        Services.AddSingleton(_alerts);
        Services.AddSingleton(_geofence);
        (_client, _settings, _strings) = (api, settings, strings);
    }

    private readonly HaloApiClient _client;
    private readonly AppSettings _settings;
    private readonly Strings _strings;

    private static LiveAlert Alert(string id, string title = "High risk: Stockholm (72 %)") =>
        new(id, "risk", title, "Take care in this area.", null, null, null, "87089", "high", null, null, new DateTime(2025, 6, 10, 12, 0, 0, DateTimeKind.Utc));

    private static AlertPreferencesDto Prefs(int radius = 500, string level = "high", IReadOnlyList<WatchedPlaceDto>? places = null) =>
        new(radius, level, null, null, "en", places ?? []);

    [Fact]
    public async Task AnAlertIsShownOnceWhetherItCameFromThePositionPostOrTheHubAndCanBeDismissed()
    {
        _alerts.Listen();
        var cut = Render<AlertBanner>();
        var alert = Alert("a1");

        await cut.InvokeAsync(() => _alerts.RaiseAsync(alert));
        _live.OnMessage("alert", JsonSerializer.Serialize(alert, HaloApiClient.Json)); // the same alert, live
        await cut.InvokeAsync(() => _alerts.RaiseAsync(Alert("a2", "Fire 300 m away")));

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("[data-testid=alert-banner]").Count));
        var banners = cut.FindAll("[data-testid=alert-banner]");
        Assert.Equal(["a2", "a1"], banners.Select(b => b.GetAttribute("data-alert-id")));
        Assert.Equal("alert", banners[1].GetAttribute("role"));
        Assert.Contains("High risk: Stockholm (72 %)", banners[1].TextContent);

        cut.Find("[data-alert-id=a1] button[aria-label='Dismiss the alert']").Click();

        Assert.Equal(["a2"], cut.FindAll("[data-testid=alert-banner]").Select(b => b.GetAttribute("data-alert-id")));
        await cut.InvokeAsync(() => _alerts.RaiseAsync(alert)); // dismissed is not shown again
        Assert.Single(cut.FindAll("[data-testid=alert-banner]"));
    }

    [Fact]
    public async Task AWatchedPositionIsPostedAsThisDeviceAndTheAlertsItAnswersAreShown()
    {
        _answer = r => r.RequestUri!.AbsolutePath == "/api/v1/me/position"
            ? FakeApi.Json(HttpStatusCode.OK, new PositionResponse([Alert("p1")])) : FakeApi.Problem(HttpStatusCode.NotFound);
        var cut = Render<AlertBanner>();
        await _geofence.SetEnabledAsync(true);
        Assert.Equal("on", _browser.Storage["halo.geofence"]);

        await cut.InvokeAsync(() => _geofence.OnPosition(59.3195, 18.072, 12));

        var post = Assert.Single(_api.Requests, r => r.Method == HttpMethod.Post);
        Assert.Equal("/api/v1/me/position", post.Path);
        using var body = JsonDocument.Parse(post.Body!);
        Assert.Equal(59.3195, body.RootElement.GetProperty("latitude").GetDouble());
        Assert.Equal(12, body.RootElement.GetProperty("accuracy_m").GetDouble());
        cut.WaitForAssertion(() => Assert.Equal("p1", cut.Find("[data-testid=alert-banner]").GetAttribute("data-alert-id")));

        // Turned off: the server is told to forget the position, and later fixes are not posted.
        await _geofence.SetEnabledAsync(false);
        Assert.Contains(_api.Requests, r => r.Method == HttpMethod.Delete && r.Path == "/api/v1/me/position");
        await _geofence.OnPosition(59.33, 18.07, 12);
        Assert.Single(_api.Requests, r => r.Method == HttpMethod.Post);
        Assert.False(_browser.Storage.ContainsKey("halo.geofence"));
    }

    [Fact]
    public void TheSettingsScreenShowsTheSavedPreferencesAndSavesAWatchedPlaceAdded()
    {
        _answer = r => r.RequestUri!.AbsolutePath != "/api/v1/me/alerts" ? FakeApi.Problem(HttpStatusCode.NotFound)
            : r.Method == HttpMethod.Get ? FakeApi.Json(HttpStatusCode.OK, Prefs(1000, "critical", [new WatchedPlaceDto("Home", 59.33, 18.06, 300)]))
            : FakeApi.Json(HttpStatusCode.OK, JsonSerializer.Deserialize<AlertPreferencesDto>(_api.Requests[^1].Body!, HaloApiClient.Json)!);
        var cut = Render<AlertsPage>();
        cut.WaitForAssertion(() => Assert.Equal("critical", cut.Find("#alerts-level").GetAttribute("value")));
        Assert.Equal("1000", cut.Find("#alerts-radius").GetAttribute("value"));
        Assert.Contains("Home", cut.Find("[data-testid=watched-places]").TextContent);
        Assert.Equal("Lowest risk level", cut.Find("label[for=alerts-level]").TextContent);

        cut.Find("#alerts-level").Change("medium");
        cut.Find("input[data-category=fire]").Change(true);
        cut.Find("#place-name").Change("Work");
        cut.Find("#place-where").Change("Göteborg");
        cut.Find("#place-radius").Change("2000");
        cut.Find("[data-testid=place-add]").Click();
        cut.Find("form").Submit();

        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=alerts-saved]")));
        var put = Assert.Single(_api.Requests, r => r.Method == HttpMethod.Put);
        using var body = JsonDocument.Parse(put.Body!);
        var root = body.RootElement;
        Assert.Equal("medium", root.GetProperty("min_risk_level").GetString());
        Assert.Equal(1000, root.GetProperty("radius_m").GetInt32());
        Assert.Equal(["fire"], root.GetProperty("categories").EnumerateArray().Select(c => c.GetString()));
        var places = root.GetProperty("watched_places").EnumerateArray().ToList();
        Assert.Equal(["Home", "Work"], places.Select(p => p.GetProperty("name").GetString()));
        Assert.Equal(2000, places[1].GetProperty("radius_m").GetInt32());
        Assert.Equal(57.7089, places[1].GetProperty("latitude").GetDouble());
    }

    [Fact]
    public void AnAnonymousDeviceWithoutPushIsToldToSignInOrTurnOnPushAndAPlaceNeedsAName()
    {
        _answer = r => r.RequestUri!.AbsolutePath != "/api/v1/me/alerts" ? FakeApi.Problem(HttpStatusCode.NotFound)
            : r.Method == HttpMethod.Get ? FakeApi.Json(HttpStatusCode.OK, Prefs()) : FakeApi.Problem(HttpStatusCode.Conflict);
        var cut = Render<AlertsPage>();
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=alerts-form]")));

        cut.Find("#place-where").Change("Malmö");
        cut.Find("[data-testid=place-add]").Click();
        Assert.Equal("Give the place a name.", cut.Find(".place-add .field-error").TextContent);

        cut.Find("form").Submit();

        cut.WaitForAssertion(() => Assert.Contains("Sign in or turn on push notifications first", cut.Find("[data-testid=alerts-error]").TextContent));
    }

    private sealed class FakePush(Microsoft.JSInterop.IJSRuntime js, HaloApiClient api, AppSettings settings, Strings strings) : WebPush(js, api, settings, strings)
    {
        public PushStatus Current { get; set; } = new("none");
        public int Subscribes { get; private set; }
        public override Task<PushStatus> StatusAsync() => Task.FromResult(Current);
        public override Task<PushStatus> SubscribeAsync() { Subscribes++; return Task.FromResult(Current = new PushStatus("subscribed", "https://push.example/1")); }
        public override Task<PushStatus> UnsubscribeAsync() => Task.FromResult(Current = new PushStatus("none"));
    }

    [Fact]
    public void TheProfileCardTurnsPushOnAndOffAndSaysWhenTheBrowserCannot()
    {
        var push = new FakePush(JSInterop.JSRuntime, _client, _settings, _strings);
        Services.AddSingleton<WebPush>(push);
        var cut = Render<AlertsCard>();
        cut.WaitForAssertion(() => Assert.Equal("none", cut.Find("[data-testid=push-state]").GetAttribute("data-state")));
        Assert.Equal("Turn on push notifications", cut.Find("[data-testid=push-toggle]").TextContent);

        cut.Find("[data-testid=push-toggle]").Click();

        cut.WaitForAssertion(() => Assert.Equal("subscribed", cut.Find("[data-testid=push-state]").GetAttribute("data-state")));
        Assert.Equal(1, push.Subscribes);
        Assert.Equal("Turn off push notifications", cut.Find("[data-testid=push-toggle]").TextContent);
        cut.Find("[data-testid=push-toggle]").Click();
        cut.WaitForAssertion(() => Assert.Equal("none", cut.Find("[data-testid=push-state]").GetAttribute("data-state")));

        push.Current = new PushStatus("unsupported");
        var other = Render<AlertsCard>();
        other.WaitForAssertion(() => Assert.Equal("This browser does not support push notifications.", other.Find("[data-testid=push-state]").TextContent));
        Assert.Empty(other.FindAll("[data-testid=push-toggle]"));
    }
}
