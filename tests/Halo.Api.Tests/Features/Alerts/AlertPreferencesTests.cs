using System.Net;
using System.Net.Http.Json;
using Halo.Api.Features.Push;
using Halo.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Halo.Api.Tests.Features.Reports.ReportTestHelpers;

namespace Halo.Api.Tests.Features.Alerts;

public abstract class AlertPreferencesTests(DbProvider provider)
{
    private static HttpRequestMessage Request(HttpMethod method, string url, object? body = null, string? device = null)
    {
        var r = new HttpRequestMessage(method, url);
        if (body is not null) r.Content = JsonContent.Create(body);
        if (device is not null) r.Headers.Add("X-Device-Id", device);
        return r;
    }

    [Fact]
    public async Task ASignedInUserSeesTheDefaultsUntilSavingAndAPutReplacesTheWholeSet()
    {
        using var factory = new HaloApiFactory(provider);
        var client = await factory.CreateClientAsAsync();
        var defaults = await (await client.GetAsync("/api/v1/me/alerts")).ReadJsonAsync();
        Assert.Equal(500, defaults.GetProperty("radius_m").GetInt32());
        Assert.Equal("high", defaults.GetProperty("min_risk_level").GetString());
        Assert.Equal("sv", defaults.GetProperty("language").GetString());
        Assert.Equal(0, defaults.GetProperty("watched_places").GetArrayLength());

        var put = await client.PutAsJsonAsync("/api/v1/me/alerts", new
        {
            radius_m = 800, min_risk_level = "critical", categories = new[] { "fire", "violence" },
            quiet_hours = new { from = "22:30", to = "06:45" }, language = "en",
            watched_places = new[] { new { name = "Home", latitude = 59.33, longitude = 18.06, radius_m = 300 }, new { name = "Work", latitude = 59.35, longitude = 18.02, radius_m = 5000 } },
        });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var saved = await (await client.GetAsync("/api/v1/me/alerts")).ReadJsonAsync();
        Assert.Equal(800, saved.GetProperty("radius_m").GetInt32());
        Assert.Equal("critical", saved.GetProperty("min_risk_level").GetString());
        Assert.Equal(["fire", "violence"], saved.GetProperty("categories").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal("22:30", saved.GetProperty("quiet_hours").GetProperty("from").GetString());
        Assert.Equal("Work", saved.GetProperty("watched_places")[1].GetProperty("name").GetString());
        Assert.Equal(5000, saved.GetProperty("watched_places")[1].GetProperty("radius_m").GetInt32());

        // PUT replaces: what is left out returns to its default.
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync("/api/v1/me/alerts", new { language = "en" })).StatusCode);
        var replaced = await (await client.GetAsync("/api/v1/me/alerts")).ReadJsonAsync();
        Assert.Equal(500, replaced.GetProperty("radius_m").GetInt32());
        Assert.Equal(0, replaced.GetProperty("watched_places").GetArrayLength());
        // Another account has its own (default) set.
        var other = await factory.CreateClientAsAsync();
        Assert.Equal("sv", (await (await other.GetAsync("/api/v1/me/alerts")).ReadJsonAsync()).GetProperty("language").GetString());
    }

    [Fact]
    public async Task EachBadValueIsNamedInA400()
    {
        using var factory = new HaloApiFactory(provider);
        var client = await factory.CreateClientAsAsync();
        var res = await client.PutAsJsonAsync("/api/v1/me/alerts", new
        {
            radius_m = 20, min_risk_level = "extreme", categories = new[] { "dragons" }, quiet_hours = new { from = "25:00", to = "07:00" },
            language = "de", watched_places = new[] { new { name = "", latitude = 95.0, longitude = 18.0, radius_m = 6000 } },
        });
        Assert.Equal(HttpStatusCode.BadRequest, res.StatusCode);
        var errors = (await res.ReadJsonAsync()).GetProperty("errors");
        foreach (var field in new[] { "radius_m", "min_risk_level", "categories", "quiet_hours.from", "language",
                     "watched_places[0].name", "watched_places[0].latitude", "watched_places[0].radius_m" })
            Assert.True(errors.TryGetProperty(field, out _), field + " not named: " + errors);
        Assert.Equal(HttpStatusCode.BadRequest, (await factory.CreateClient().GetAsync("/api/v1/me/alerts")).StatusCode);
    }

    [Fact]
    public async Task AnAnonymousDeviceKeepsItsPreferencesWithItsPushSubscription()
    {
        using var factory = new HaloApiFactory(provider);
        var client = factory.CreateClient();
        var device = NewDevice();
        var body = new { radius_m = 1200, language = "en" };
        var refused = await client.SendAsync(Request(HttpMethod.Put, "/api/v1/me/alerts", body, device));
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);

        var hash = factory.Services.GetService(typeof(Halo.Api.Features.Reports.DeviceIdentity)) is Halo.Api.Features.Reports.DeviceIdentity d ? d.Hash(device) : null;
        var subscriptionId = Guid.NewGuid();
        await factory.WithDb(async db =>
        {
            db.Add(new PushSubscriptionRow
            {
                Id = subscriptionId, Endpoint = "https://push.example/" + Guid.NewGuid(), P256dh = "p", Auth = "a", DeviceHash = hash, CreatedAt = factory.Now(),
            });
            return await db.SaveChangesAsync();
        });
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(Request(HttpMethod.Put, "/api/v1/me/alerts", body, device))).StatusCode);
        var mine = await (await client.SendAsync(Request(HttpMethod.Get, "/api/v1/me/alerts", device: device))).ReadJsonAsync();
        Assert.Equal(1200, mine.GetProperty("radius_m").GetInt32());
        var others = await (await client.SendAsync(Request(HttpMethod.Get, "/api/v1/me/alerts", device: NewDevice()))).ReadJsonAsync();
        Assert.Equal(500, others.GetProperty("radius_m").GetInt32());

        // The subscription goes (unsubscribed, or the push service said 410): its preferences go with it.
        await factory.WithDb(db => db.Set<PushSubscriptionRow>().Where(s => s.Id == subscriptionId).ExecuteDeleteAsync());
        var after = await (await client.SendAsync(Request(HttpMethod.Get, "/api/v1/me/alerts", device: device))).ReadJsonAsync();
        Assert.Equal(500, after.GetProperty("radius_m").GetInt32());
        Assert.Equal(0, await factory.WithDb(db => db.Set<Halo.Api.Features.Alerts.AlertPreferences>().CountAsync()));
    }
}

public sealed class SqliteAlertPreferencesTests() : AlertPreferencesTests(DbProvider.Sqlite);

public sealed class PostgresAlertPreferencesTests() : AlertPreferencesTests(DbProvider.Postgres);
