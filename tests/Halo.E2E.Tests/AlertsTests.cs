using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using Halo.Api.Features.Alerts;
using Halo.Api.Features.Predictions.Serving;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Halo.E2E.Tests;

/// <summary>Foreground geofencing against the real API and forecast: the browser's position (overridden) posted while
/// the app is visible, the alert shown in the app and as a system notification, once within the cooldown.</summary>
[Collection(AppCollection.Name)]
public sealed class AlertsTests(AppServer app)
{
    /// <summary>A point in the hottest forecast cell now, its level, and a point outside it (a lower cell, or no forecast).</summary>
    private (Geolocation Hot, string Level, Geolocation Low) Cells()
    {
        var s = app.Services.GetRequiredService<RiskModelService>().Current!;
        var lookup = app.Services.GetRequiredService<RiskLookup>();
        var now = DateTime.UtcNow;
        var scored = Enumerable.Range(0, s.Count).Select(c => (c, Risk: lookup.At(s.Lat[c], s.Lon[c], now))).Where(x => x.Risk is not null).ToList();
        var hot = scored.MaxBy(x => x.Risk!.Score);
        var low = scored.FirstOrDefault(x => RiskLookup.Rank(x.Risk!.Level) < RiskLookup.Rank(hot.Risk!.Level));
        static Geolocation At(double lat, double lon) => new() { Latitude = (float)lat, Longitude = (float)lon, Accuracy = 15 };
        return (At(s.Lat[hot.c], s.Lon[hot.c]), hot.Risk!.Level, low.Risk is not null ? At(s.Lat[low.c], s.Lon[low.c]) : At(0, 0));
    }

    /// <summary>Registers an account through the API; the page starts signed in with its refresh token (as after a reload).</summary>
    private async Task<string> RegisterAsync()
    {
        using var http = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };
        var res = await http.PostAsJsonAsync("api/v1/auth/register", new { email = $"alerts-{Guid.NewGuid():N}@example.org", password = "correct horse battery staple 42", display_name = "Alva" });
        res.EnsureSuccessStatusCode();
        return (await res.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("tokens").GetProperty("refresh_token").GetString()!;
    }

    // Counts the system notifications the page shows (the service worker is blocked here, so they are `new Notification`).
    private const string NotificationSpy = """
        window.__notifications = [];
        if (window.Notification) {
            const Real = window.Notification;
            window.Notification = class extends Real { constructor(title, options) { window.__notifications.push(title); super(title, options); } };
        }
        """;

    [Fact]
    public async Task AGeolocationOverrideIntoAHighRiskCellRaisesTheAlertOnceWithinTheCooldown()
    {
        var (hot, level, low) = Cells();
        var refresh = await RegisterAsync();
        await app.RunAsync(async page =>
        {
            await page.Context.AddInitScriptAsync(NotificationSpy + $"\nif (!localStorage.getItem('halo.refresh')) localStorage.setItem('halo.refresh', {JsonSerializer.Serialize(refresh)});");
            var answers = new ConcurrentQueue<string>();
            page.Response += async (_, r) =>
            {
                if (r.Request.Method == "POST" && r.Url.EndsWith("/api/v1/me/position", StringComparison.Ordinal))
                    try { answers.Enqueue(await r.TextAsync()); } catch (PlaywrightException) { }
            };
            await app.OpenAsync(page, "profile");
            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Inloggad som Alva" })).ToBeVisibleAsync();

            // The settings screen: alerts from the hot cell's level up (the seeded model's top level varies).
            await page.GetByTestId("alerts-settings-link").ClickAsync();
            await Assertions.Expect(page.GetByTestId("alerts-form")).ToBeVisibleAsync();
            await page.Locator("#alerts-level").SelectOptionAsync(level);
            await page.GetByRole(AriaRole.Button, new() { Name = "Spara inställningar" }).ClickAsync();
            await Assertions.Expect(page.GetByTestId("alerts-saved")).ToBeVisibleAsync();

            await page.GetByLabel("Varna mig medan appen är öppen").CheckAsync();
            var banner = page.GetByTestId("alert-banner");
            await Assertions.Expect(banner).ToHaveCountAsync(1, new() { Timeout = 30_000 });
            await Assertions.Expect(banner).ToHaveAttributeAsync("data-alert-type", "risk");
            await Assertions.Expect(banner).ToContainTextAsync("risk");
            Assert.Equal(1, await page.EvaluateAsync<int>("() => window.__notifications.length"));

            // Out and back in within the cooldown: each move is posted (at least 30 s apart), and nothing is raised again.
            await page.Context.SetGeolocationAsync(low);
            await page.WaitForFunctionAsync("() => document.documentElement.dataset.haloPositionPosts === '2'", null, new() { Timeout = 90_000 });
            await page.Context.SetGeolocationAsync(hot);
            await page.WaitForFunctionAsync("() => document.documentElement.dataset.haloPositionPosts === '3'", null, new() { Timeout = 90_000 });
            await WaitUntilAsync(() => answers.Count >= 3);
            var alerts = answers.Select(a => JsonDocument.Parse(a).RootElement.GetProperty("alerts").GetArrayLength()).ToList();
            Assert.Equal([1, 0, 0], alerts);
            await Assertions.Expect(banner).ToHaveCountAsync(1);
            Assert.Equal(1, await page.EvaluateAsync<int>("() => window.__notifications.length"));
        }, new BrowserNewContextOptions { Permissions = ["geolocation", "notifications"], Geolocation = hot });
    }

    private static async Task WaitUntilAsync(Func<bool> done)
    {
        for (var i = 0; i < 200 && !done(); i++) await Task.Delay(100);
        Assert.True(done());
    }
}
