using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Halo.Api.Data;
using Halo.Api.Features.Auth;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Halo.E2E.Tests;

/// <summary>The live hub in the app: what another client publishes reaches an open map and feed without a reload.</summary>
[Collection(AppCollection.Name)]
public sealed class LiveTests(AppServer app)
{
    /// <summary>A real account with the given role in the app's store, and an access token from its TokenService.</summary>
    internal static async Task<(User User, string Token)> UserAsync(AppServer app, string role)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HaloDbContext>();
        var now = DateTime.UtcNow;
        var user = new User { Id = Guid.NewGuid(), Email = $"{role}-{Guid.NewGuid():N}@example.org", PasswordHash = "", Role = role, DisplayName = role, CreatedAt = now, UpdatedAt = now };
        user.PasswordHash = new PasswordHasher<User>().HashPassword(user, "correct horse battery staple 42");
        db.Set<User>().Add(user);
        await db.SaveChangesAsync();
        return (user, scope.ServiceProvider.GetRequiredService<TokenService>().CreateAccessToken(user, out _));
    }

    /// <summary>Waits until the page's live connection watches an area (it is subscribed).</summary>
    private static Task WaitForLiveAreaAsync(IPage page) =>
        page.WaitForFunctionAsync("() => document.documentElement.dataset.haloLive === 'connected' && !!document.documentElement.dataset.haloLiveArea",
            null, new PageWaitForFunctionOptions { Timeout = 60_000, PollingInterval = 100 });

    [Fact]
    public Task AnIncidentPublishedByAnotherClientAppearsOnTheMapAndInTheFeedWithinTwoSeconds() => app.RunAsync(async page =>
    {
        // Uppsala: no seeded incidents there, so what appears is the one published here.
        const double lat = 59.8586, lon = 17.6389;
        await app.OpenAsync(page, FormattableString.Invariant($"?lat={lat}&lon={lon}&zoom=12"));
        await AppServer.WaitForMapAttachedAsync(page);
        await WaitForLiveAreaAsync(page);

        var feed = await page.Context.NewPageAsync();
        await app.OpenAsync(feed, "feed");
        await feed.Locator("#feed-place").SelectOptionAsync("Uppsala");
        await Assertions.Expect(feed.GetByTestId("feed-around")).ToBeVisibleAsync();
        await Assertions.Expect(feed.GetByRole(AriaRole.Status).Filter(new() { HasText = "Hämtar" })).ToHaveCountAsync(0);
        await feed.WaitForFunctionAsync("() => document.documentElement.dataset.haloLiveArea", null, new() { Timeout = 60_000 });
        // The map page's area must still be watched: its own connection is separate from the feed page's.
        await WaitForLiveAreaAsync(page);

        var (_, token) = await UserAsync(app, Roles.Moderator);
        using var http = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var response = await http.PostAsJsonAsync("api/v1/incidents", new
        {
            category = "fire", severity = 3, title = "Brand i Uppsala", description = "Brand i ett soprum vid Stora torget.",
            occurred_at = DateTime.UtcNow.AddMinutes(-1), latitude = lat + 0.002, longitude = lon + 0.002, accuracy_m = 30,
        });
        var posted = Stopwatch.StartNew();
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

        await page.WaitForFunctionAsync("id => window.haloMapState?.byId?.has(id)", id, new PageWaitForFunctionOptions { Timeout = 2000, PollingInterval = 50 });
        var onMap = posted.Elapsed;
        await Assertions.Expect(feed.Locator($"[data-testid=feed-list] li[data-id='{id}']")).ToBeVisibleAsync(new() { Timeout = (float)Math.Max(1, 2000 - posted.Elapsed.TotalMilliseconds) });
        var inFeed = posted.Elapsed;
        Assert.True(onMap < TimeSpan.FromSeconds(2) && inFeed < TimeSpan.FromSeconds(2), $"map {onMap.TotalMilliseconds:0} ms, feed {inFeed.TotalMilliseconds:0} ms");
        // Newest first: the live one heads the list, with its distance.
        await Assertions.Expect(feed.GetByTestId("feed-list").Locator("li").First).ToHaveAttributeAsync("data-id", id);
        await Assertions.Expect(feed.GetByTestId("feed-list").Locator("li").First.GetByTestId("feed-distance")).ToContainTextAsync("m");

        // Deleted by staff, it leaves both again.
        Assert.Equal(System.Net.HttpStatusCode.NoContent, (await http.DeleteAsync($"api/v1/incidents/{id}")).StatusCode);
        await page.WaitForFunctionAsync("id => !window.haloMapState.byId.has(id)", id, new PageWaitForFunctionOptions { Timeout = 10_000, PollingInterval = 50 });
        await Assertions.Expect(feed.Locator($"[data-testid=feed-list] li[data-id='{id}']")).ToHaveCountAsync(0);
    });

    [Fact]
    public Task AMapZoomedOutToTheCountryWatchesItsMiddleLive() => app.RunAsync(async page =>
    {
        const double lat = 62.4, lon = 16.3;
        await app.OpenAsync(page, FormattableString.Invariant($"?lat={lat}&lon={lon}&zoom=5"));
        await AppServer.WaitForMapAttachedAsync(page);
        // Far more than 64 cells even at resolution 5: the server watches the middle of the view and says so.
        await page.WaitForFunctionAsync("() => document.documentElement.dataset.haloLive === 'connected' && document.documentElement.dataset.haloLiveArea === 'partial'",
            null, new PageWaitForFunctionOptions { Timeout = 60_000, PollingInterval = 100 });

        var (_, token) = await UserAsync(app, Roles.Moderator);
        using var http = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var response = await http.PostAsJsonAsync("api/v1/incidents", new
        {
            category = "fire", severity = 3, title = "Skogsbrand", description = "Skogsbrand norr om Sveg.",
            occurred_at = DateTime.UtcNow.AddMinutes(-1), latitude = lat, longitude = lon, accuracy_m = 30,
        });
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        await page.WaitForFunctionAsync("id => window.haloMapState?.byId?.has(id)", id, new PageWaitForFunctionOptions { Timeout = 10_000, PollingInterval = 50 });
    });

    [Fact]
    public Task ANewForecastAnnouncedOnTheHubIsReadAgainByTheOpenMap() => app.RunAsync(async page =>
    {
        await app.OpenAsync(page, "?lat=59.325&lon=18.07&zoom=11");
        await AppServer.WaitForMapAttachedAsync(page);
        var map = page.GetByTestId("map");
        await Assertions.Expect(map).ToHaveAttributeAsync("data-hotspots-drawn-hour", "0");
        await WaitForLiveAreaAsync(page);
        var asked = new ConcurrentQueue<string>();
        page.Request += (_, r) => { if (r.Url.Contains("/api/v1/predictions/hotspots", StringComparison.Ordinal)) asked.Enqueue(r.Url); };

        var risk = app.Services.GetRequiredService<Halo.Api.Features.Predictions.Serving.RiskModelService>();
        var model = await risk.RetrainAsync(risk.NewVersion(), CancellationToken.None);
        Assert.Equal(Halo.Api.Features.ModelRegistry.ModelStatus.Ready, model.Status);

        // The announcement names the new model; the shown hour is asked for again (its cached answer was the old model's).
        await Assertions.Expect(map).ToHaveAttributeAsync("data-model-version", model.Version);
        await page.WaitForFunctionAsync("() => window.haloMapState.predictionsReloads === 1");
        Assert.Contains(asked, u => u.Contains("hours_ahead=0", StringComparison.Ordinal));
        await page.WaitForFunctionAsync("() => !String(window.haloMapState.slots[window.haloMapState.active].key).startsWith('stale|')");
    });
}
