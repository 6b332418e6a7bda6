using System.Collections.Concurrent;
using System.Globalization;
using Halo.Api.Data;
using Halo.Api.Features.Reports;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Halo.E2E.Tests;

/// <summary>The offline outbox (IndexedDB) against the real API: nothing lost, nothing sent twice, order kept.</summary>
[Collection(AppCollection.Name)]
public sealed class OutboxTests(AppServer app)
{
    private static readonly BrowserNewContextOptions Options = new()
    {
        // The service worker serves the app while offline, as on a phone.
        ServiceWorkers = ServiceWorkerPolicy.Allow,
        Permissions = ["geolocation"],
        Geolocation = new Geolocation { Latitude = 60, Longitude = 15, Accuracy = 10 },
    };

    private static ILocator Banner(IPage page) => page.GetByTestId("outbox-banner");

    /// <summary>Opens the report form and waits until the service worker is active (it then serves the app offline).</summary>
    private async Task OpenOnlineAsync(IPage page)
    {
        await app.OpenAsync(page, "report");
        await page.EvaluateAsync("() => navigator.serviceWorker.ready.then(() => true)");
    }

    /// <summary>Fills in and submits one report with a photo at (lat, lon); offline it is queued.</summary>
    private static async Task QueueAsync(IPage page, string text, double lat, double lon, int queuedAfter, int? daysBack = null)
    {
        await page.Context.SetGeolocationAsync(new Geolocation { Latitude = (float)lat, Longitude = (float)lon, Accuracy = 10 });
        await page.GetByLabel("Vad hände?").FillAsync(text);
        await page.Locator("#category-other").SelectOptionAsync("traffic");
        await page.GetByRole(AriaRole.Button, new() { Name = "Använd min position" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("report-location")).ToContainTextAsync(lat.ToString("0.00", CultureInfo.InvariantCulture));
        if (daysBack is { } back)
        {
            // The form's own list (today first, in the browser's time zone): the test machine's date can differ by a day.
            var day = await page.Locator("#report-time-day option").Nth(back).GetAttributeAsync("value");
            await page.Locator("#report-time-day").SelectOptionAsync(day!);
        }
        var name = $"foto-{queuedAfter:00}.png";
        await page.Locator("#report-photo").SetInputFilesAsync(new FilePayload
        {
            Name = name, MimeType = "image/png", Buffer = TestImages.Png(16, 12, (byte)(10 * queuedAfter), 80, 120),
        });
        await Assertions.Expect(page.GetByTestId("report-photo-name")).ToContainTextAsync(name);
        await page.GetByRole(AriaRole.Button, new() { Name = "Skicka rapport" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("report-queued")).ToBeVisibleAsync();
        await Assertions.Expect(Banner(page)).ToHaveAttributeAsync("data-queued", queuedAfter.ToString(CultureInfo.InvariantCulture));
        await page.GetByRole(AriaRole.Button, new() { Name = "Ny rapport" }).ClickAsync();
    }

    private async Task<List<CitizenReport>> ReportsAsync(string prefix)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HaloDbContext>();
        return await db.Set<CitizenReport>().Where(r => r.Description!.StartsWith(prefix)).OrderBy(r => r.SubmittedAt).ToListAsync();
    }

    [Fact]
    public Task TwentyReportsMadeOfflineSurviveTwoReloadsAndReachTheServerOnceEachInOrder() => app.RunAsync(async page =>
    {
        var run = $"Offline {Guid.NewGuid():N}"[..16];
        await OpenOnlineAsync(page);
        await page.Context.SetOfflineAsync(true);
        await Assertions.Expect(Banner(page)).ToHaveAttributeAsync("data-online", "false");

        for (var n = 1; n <= 20; n++)
            // 3.3 km apart: separate incidents (one device reporting twice in one cluster would be a duplicate).
            await QueueAsync(page, $"{run} rapport {n:00}: bil i diket.", 60.0 + 0.03 * n, 15.0, n);
        await Assertions.Expect(Banner(page)).ToHaveTextAsync("Offline • 20 i kö");

        for (var reload = 0; reload < 2; reload++)
        {
            await page.ReloadAsync();
            await AppServer.WaitForStartAsync(page);
            await Assertions.Expect(Banner(page)).ToHaveAttributeAsync("data-queued", "20");
            await Assertions.Expect(Banner(page)).ToHaveAttributeAsync("data-online", "false");
        }
        Assert.Empty(await ReportsAsync(run));

        await page.Context.SetOfflineAsync(false);

        await Assertions.Expect(Banner(page)).ToHaveAttributeAsync("data-queued", "0", new() { Timeout = 180_000 });
        await Assertions.Expect(Banner(page)).ToHaveAttributeAsync("data-failed", "0");
        var reports = await ReportsAsync(run);
        Assert.Equal(Enumerable.Range(1, 20).Select(n => $"{run} rapport {n:00}: bil i diket."), reports.Select(r => r.Description));
        Assert.All(reports, r => Assert.Equal(1, r.MediaCount));
        // The profile lists what was sent; the outbox is empty.
        await page.GetByRole(AriaRole.Link, new() { Name = "Profil" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("outbox-list")).ToContainTextAsync("Inga rapporter väntar.");
        await Assertions.Expect(page.Locator(".my-reports li")).ToHaveCountAsync(20);
    }, Options);

    [Fact]
    public Task A429MidSyncIsRetriedAfterItsRetryAfterAndARefusedReportIsShownAndNotSentAgain() => app.RunAsync(async page =>
    {
        var run = $"Retry {Guid.NewGuid():N}"[..14];
        // Every submit the browser makes, by Idempotency-Key, with when it was made.
        var submits = new ConcurrentQueue<(string Key, DateTime At, int Status)>();
        var seen = 0;
        await page.RouteAsync("**/api/v1/reports/submit", async route =>
        {
            var key = route.Request.Headers["idempotency-key"];
            // The second report's first attempt gets a 429 with Retry-After, injected here (rate limiting is off in
            // this app); every other request goes to the real API.
            if (Interlocked.Increment(ref seen) == 2)
            {
                submits.Enqueue((key, DateTime.UtcNow, 429));
                await route.FulfillAsync(new RouteFulfillOptions
                {
                    Status = 429, ContentType = "application/problem+json", Headers = new Dictionary<string, string> { ["Retry-After"] = "3" },
                    Body = """{"title":"Too many requests","status":429}""",
                });
                return;
            }
            var response = await route.FetchAsync();
            submits.Enqueue((key, DateTime.UtcNow, response.Status));
            await route.FulfillAsync(new RouteFulfillOptions { Response = response });
        });
        await OpenOnlineAsync(page);
        await page.Context.SetOfflineAsync(true);
        await QueueAsync(page, $"{run} ett", 62.0, 16.0, 1);
        await QueueAsync(page, $"{run} två", 62.1, 16.0, 2);
        // Thirteen days back: the form allows it, this server keeps reports for 10 days (a real 400).
        await QueueAsync(page, $"{run} tre", 62.2, 16.0, 3, daysBack: 13);

        await page.Context.SetOfflineAsync(false);

        await Assertions.Expect(Banner(page)).ToHaveAttributeAsync("data-queued", "0", new() { Timeout = 120_000 });
        await Assertions.Expect(Banner(page)).ToHaveAttributeAsync("data-failed", "1");
        var log = submits.ToList();
        var limited = log.Single(s => s.Status == 429);
        var retried = log.Single(s => s.Key == limited.Key && s.Status == 201);
        Assert.True(retried.At - limited.At >= TimeSpan.FromSeconds(2.9), $"retried after {(retried.At - limited.At).TotalSeconds:0.00} s");
        var refused = log.Single(s => s.Status == 400);
        Assert.Equal(["ett", "två"], (await ReportsAsync(run)).Select(r => r.Description![(run.Length + 1)..]));

        // The refusal is shown with the server's reason, and the report stays, not sent again: a later report goes
        // through while it waits.
        await page.GetByRole(AriaRole.Link, new() { Name = "Profil" }).ClickAsync();
        var item = page.GetByTestId("outbox-list").Locator("li[data-state=failed]");
        await Assertions.Expect(item).ToContainTextAsync($"{run} tre");
        await Assertions.Expect(item.Locator(".refused")).ToContainTextAsync("Avvisad av servern");
        await page.Context.SetOfflineAsync(true);
        await page.Context.SetOfflineAsync(false);
        await page.GetByRole(AriaRole.Link, new() { Name = "Rapportera" }).ClickAsync();
        await page.Context.SetGeolocationAsync(new Geolocation { Latitude = 62.4f, Longitude = 16.0f, Accuracy = 10 });
        await page.GetByLabel("Vad hände?").FillAsync($"{run} fyra");
        // Online, the classifier's suggestions arrive and push the form down: wait for them, or a click can land where a
        // button was a moment before.
        await Assertions.Expect(page.Locator(".suggestions label.suggestion").First).ToBeVisibleAsync();
        await page.Locator("#category-other").SelectOptionAsync("traffic");
        await page.GetByRole(AriaRole.Button, new() { Name = "Använd min position" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("report-location")).ToContainTextAsync("62.4");
        await page.GetByRole(AriaRole.Button, new() { Name = "Skicka rapport" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("report-outcome")).ToBeVisibleAsync();
        Assert.Single(submits, s => s.Key == refused.Key);
        await Assertions.Expect(Banner(page)).ToHaveAttributeAsync("data-failed", "1");

        // Deleted by the user, it is gone for good.
        await page.GetByRole(AriaRole.Link, new() { Name = "Profil" }).ClickAsync();
        await page.GetByTestId("outbox-list").GetByRole(AriaRole.Button, new() { Name = $"Ta bort: {run} tre" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("outbox-list")).ToContainTextAsync("Inga rapporter väntar.");
        await Assertions.Expect(Banner(page)).ToHaveAttributeAsync("data-failed", "0");
    }, Options);
}
