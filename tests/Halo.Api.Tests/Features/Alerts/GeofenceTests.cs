using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Halo.Api.Features.Alerts;
using Halo.Api.Features.Auth;
using Halo.Api.Features.Live;
using Halo.Api.Features.Predictions.Serving;
using Halo.Api.Tests.Features.Live;
using Halo.Api.Tests.Features.Predictions;
using Halo.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Halo.Api.Tests.Features.Reports.ReportTestHelpers;

namespace Halo.Api.Tests.Features.Alerts;

/// <summary>The app on Kestrel with a real risk model trained on seeded events (a hot spot in Stockholm), on a fake clock.</summary>
public sealed class GeofenceFixture : IAsyncLifetime
{
    public HaloApiFactory Factory { get; } = new HaloApiFactory(DbProvider.Sqlite).Fast();

    /// <summary>A point in the hottest forecast cell, and one in a low cell.</summary>
    public (double Lat, double Lon) Hot { get; private set; }
    public (double Lat, double Lon) Low { get; private set; }

    /// <summary>The hottest cell's level now: the tests' owners alert from this level up.</summary>
    public string HotLevel { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Factory.OnKestrel();
        await PredictionTestData.SeedAsync(Factory);
        var service = Factory.Services.GetRequiredService<RiskModelService>();
        await service.RetrainAsync(service.NewVersion(), CancellationToken.None);
        var s = service.Current!;
        var lookup = Factory.Services.GetRequiredService<RiskLookup>();
        var now = Factory.Now();
        var scored = Enumerable.Range(0, s.Count).Select(c => (c, Risk: lookup.At(s.Lat[c], s.Lon[c], now)!)).Where(x => x.Risk is not null).ToList();
        var hot = scored.MaxBy(x => x.Risk.Score);
        HotLevel = hot.Risk.Level;
        Hot = (s.Lat[hot.c], s.Lon[hot.c]);
        // Outside the hot level: a cell below it if the forecast has one, else a place with no forecast at all.
        var low = scored.FirstOrDefault(x => RiskLookup.Rank(x.Risk.Level) < RiskLookup.Rank(HotLevel));
        Low = low.Risk is not null ? (s.Lat[low.c], s.Lon[low.c]) : (0.0, 0.0);
        Assert.True(low.Risk is not null || lookup.At(0, 0, now) is null);
    }

    public Task DisposeAsync()
    {
        Factory.Dispose();
        return Task.CompletedTask;
    }
}

public sealed class GeofenceTests(GeofenceFixture fixture) : IClassFixture<GeofenceFixture>
{
    private HaloApiFactory Factory => fixture.Factory;

    private async Task<JsonElement[]> Post(HttpClient client, (double Lat, double Lon) p, string? device = null)
    {
        var req = new HttpRequestMessage(HttpMethod.Post, "/api/v1/me/position") { Content = JsonContent.Create(new { latitude = p.Lat, longitude = p.Lon, accuracy_m = 8 }) };
        if (device is not null) req.Headers.Add("X-Device-Id", device);
        var res = await client.SendAsync(req);
        Assert.Equal(HttpStatusCode.OK, res.StatusCode);
        return (await res.ReadJsonAsync()).GetProperty("alerts").EnumerateArray().ToArray();
    }

    /// <summary>A signed-in owner whose alerts start at the hot cell's level.</summary>
    private TestUser? _lastOwner;

    private async Task<(HttpClient Client, string Token)> Owner(object? extra = null)
    {
        var user = _lastOwner = await Factory.CreateUserAsync();
        var client = Factory.CreateClientWithToken(user.AccessToken);
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync("/api/v1/me/alerts", extra ?? new { min_risk_level = fixture.HotLevel })).StatusCode);
        return (client, user.AccessToken);
    }

    private void AssertHot()
    {
        var risk = Factory.Services.GetRequiredService<RiskLookup>().At(fixture.Hot.Lat, fixture.Hot.Lon, Factory.Now());
        Assert.True(risk is not null && RiskLookup.Rank(risk.Level) >= RiskLookup.Rank(fixture.HotLevel), $"the hot cell is {risk?.Level} now");
    }

    [Fact]
    public async Task EnteringAHighRiskCellAlertsOnceStayingInItDoesNotAndTheDeviceGetsItLive()
    {
        var (client, token) = await Owner();
        string? device = null;
        await using var live = await LiveTestClient.ConnectAsync(Factory, token);
        AssertHot();
        Assert.Empty(await Post(client, fixture.Low, device));
        var entered = Assert.Single(await Post(client, fixture.Hot, device));
        Assert.Equal("risk", entered.GetProperty("type").GetString());
        Assert.Matches(@"^(Mycket hög risk|Hög risk|Förhöjd risk|Låg risk): .+ \(\d+ %\)$", entered.GetProperty("title").GetString());
        Assert.Empty(await Post(client, (fixture.Hot.Lat + 0.00005, fixture.Hot.Lon), device)); // still the same cell
        var pushed = await live.NextOfAsync(LivePublisher.Alert);
        Assert.Equal(entered.GetProperty("id").GetString(), pushed.GetProperty("id").GetString());
    }

    [Fact]
    public async Task LeavingAndComingBackWithinTheCooldownIsHeldBackAndAfterItAlertsAgain()
    {
        using var metrics = new MetricsRecorder(Factory);
        var (client, _) = await Owner();
        string? device = null;
        AssertHot();
        Assert.Single(await Post(client, fixture.Hot, device));
        Assert.Empty(await Post(client, fixture.Low, device));
        Assert.Empty(await Post(client, fixture.Hot, device));
        Assert.Equal(1, metrics.Sum("halo.alerts.suppressed;reason=cooldown;type=risk"));
        Factory.Clock.Advance(TimeSpan.FromMinutes(31));
        // Access tokens last 15 minutes: sign in again on the new clock.
        client = Factory.CreateClientWithToken(Factory.Services.GetRequiredService<Halo.Api.Features.Auth.TokenService>().CreateAccessToken(_lastOwner!.User, out _));
        AssertHot();
        Assert.Empty(await Post(client, fixture.Low, device));
        Assert.Single(await Post(client, fixture.Hot, device));
    }

    [Fact]
    public async Task QuietHoursHoldEveryAlertBack()
    {
        using var metrics = new MetricsRecorder(Factory);
        var user = await Factory.CreateUserAsync();
        var client = Factory.CreateClientWithToken(user.AccessToken);
        // The fake clock reads 12:00 UTC (13:00 in Stockholm): quiet from 12:00 to 14:00 local.
        var local = TimeZoneInfo.ConvertTimeFromUtc(Factory.Now(), TimeZoneInfo.FindSystemTimeZoneById("Europe/Stockholm"));
        var quiet = new { from = local.AddHours(-1).ToString("HH:00"), to = local.AddHours(1).ToString("HH:00") };
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync("/api/v1/me/alerts", new { quiet_hours = quiet, min_risk_level = fixture.HotLevel })).StatusCode);
        AssertHot();
        Assert.Empty(await Post(client, fixture.Hot));
        Assert.Equal(1, metrics.Sum("halo.alerts.suppressed;reason=quiet_hours;type=risk"));
        // Outside quiet hours the same entry alerts.
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync("/api/v1/me/alerts", new { min_risk_level = fixture.HotLevel })).StatusCode);
        Assert.Empty(await Post(client, fixture.Low));
        Assert.Single(await Post(client, fixture.Hot));
    }

    [Fact]
    public async Task AVerifiedIncidentNearbyAlertsAndSeverityFiveIsNeverHeldBackByTheCooldown()
    {
        var user = await Factory.CreateUserAsync();
        var client = Factory.CreateClientWithToken(user.AccessToken);
        var staff = await Factory.CreateClientAsAsync(Roles.Moderator);
        await using var live = await LiveTestClient.ConnectAsync(Factory, user.AccessToken);
        var (lat, lon) = NewPlace();
        await Post(client, (lat, lon));

        async Task Incident(int severity, double northM, string category = "fire")
        {
            var res = await staff.PostAsJsonAsync("/api/v1/incidents", new Dictionary<string, object>
            {
                ["category"] = category, ["description"] = $"severity {severity}", ["latitude"] = lat + northM / 111_320, ["longitude"] = lon,
                ["occurred_at"] = Factory.Now().AddMinutes(-2), ["severity"] = severity,
            });
            Assert.Equal(HttpStatusCode.Created, res.StatusCode);
        }

        await Incident(4, 150);
        var first = await live.NextOfAsync(LivePublisher.Alert);
        Assert.Equal("incident", first.GetProperty("type").GetString());
        Assert.Equal("Brand 150 m bort", first.GetProperty("title").GetString());
        Assert.Equal(4, first.GetProperty("severity").GetInt32());
        await Incident(4, 200);             // held back: one incident alert per 30 minutes
        await Incident(3, 2000);            // outside the 500 m radius
        await Incident(5, 250);             // severity 5: always
        await Incident(5, 300);
        var second = await live.NextOfAsync(LivePublisher.Alert);
        var third = await live.NextOfAsync(LivePublisher.Alert);
        Assert.Equal((5, "Brand 250 m bort"), (second.GetProperty("severity").GetInt32(), second.GetProperty("title").GetString()));
        Assert.Equal((5, "Brand 300 m bort"), (third.GetProperty("severity").GetInt32(), third.GetProperty("title").GetString()));
    }

    [Fact]
    public async Task AWatchedPlaceAlertsInTheOwnersLanguageWithoutAnyPositionPosted()
    {
        var user = await Factory.CreateUserAsync();
        var client = Factory.CreateClientWithToken(user.AccessToken);
        var staff = await Factory.CreateClientAsAsync(Roles.Moderator);
        var (lat, lon) = NewPlace();
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync("/api/v1/me/alerts", new
        {
            language = "en", categories = new[] { "violence" }, watched_places = new[] { new { name = "Home", latitude = lat, longitude = lon, radius_m = 1500 } },
        })).StatusCode);
        await using var live = await LiveTestClient.ConnectAsync(Factory, user.AccessToken);
        foreach (var (category, north) in new[] { ("fire", 100.0), ("violence", 1200.0) })
            await staff.PostAsJsonAsync("/api/v1/incidents", new Dictionary<string, object>
            {
                ["category"] = category, ["description"] = "x", ["latitude"] = lat + north / 111_320, ["longitude"] = lon,
                ["occurred_at"] = Factory.Now().AddMinutes(-1), ["severity"] = 3,
            });
        var alert = await live.NextOfAsync(LivePublisher.Alert);
        Assert.Equal("Violence 1.2 km away from Home", alert.GetProperty("title").GetString());
        Assert.Equal("Home", alert.GetProperty("place").GetString());
    }
}
