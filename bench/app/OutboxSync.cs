using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Halo.E2E.Tests;
using Microsoft.Playwright;

/// <summary>
/// Queues N reports with photos in the app while offline (through the report form, as a user would), goes online and
/// times the outbox until it is empty. Same-run baseline: the same N uploads and submits made one after another from
/// HttpClient, the least any client can take on this server.
/// </summary>
internal static class OutboxSync
{
    public static async Task RunAsync(IBrowser browser, string baseUrl, int count)
    {
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            Locale = "sv-SE", ViewportSize = new() { Width = 420, Height = 820 },
            ServiceWorkers = ServiceWorkerPolicy.Allow, Permissions = ["geolocation"],
            Geolocation = new Geolocation { Latitude = 60, Longitude = 15, Accuracy = 10 },
        });
        await context.RouteAsync(url => !url.StartsWith(baseUrl, StringComparison.Ordinal), r => r.AbortAsync("internetdisconnected"));
        var page = await context.NewPageAsync();
        page.PageError += (_, e) => Console.Error.WriteLine($"page error: {e}");
        // Every answer to a submit, by Idempotency-Key: a key answered 201 twice would be a report sent twice.
        var created = new ConcurrentDictionary<string, int>();
        var statuses = new ConcurrentDictionary<int, int>();
        page.Response += (_, r) =>
        {
            if (!r.Url.EndsWith("/api/v1/reports/submit", StringComparison.Ordinal)) return;
            statuses.AddOrUpdate(r.Status, 1, (_, n) => n + 1);
            if (r.Status == 201 && r.Request.Headers.TryGetValue("idempotency-key", out var key)) created.AddOrUpdate(key, 1, (_, n) => n + 1);
        };

        await page.GotoAsync(baseUrl + "report");
        await page.WaitForFunctionAsync("() => document.documentElement.dataset.haloStart === 'started'", null, new() { Timeout = 120_000 });
        await page.EvaluateAsync("() => navigator.serviceWorker.ready.then(() => true)");
        await context.SetOfflineAsync(true);
        var banner = page.GetByTestId("outbox-banner");
        await Assertions.Expect(banner).ToHaveAttributeAsync("data-online", "false");

        var run = $"Sync {Guid.NewGuid():N}"[..13];
        var queueWatch = Stopwatch.StartNew();
        for (var n = 1; n <= count; n++)
        {
            // 0.1° apart (≥ 5 km): separate incidents, as the same device reporting twice in one cluster is a duplicate.
            var (lat, lon) = Place(n);
            await context.SetGeolocationAsync(new Geolocation { Latitude = (float)lat, Longitude = (float)lon, Accuracy = 10 });
            await page.GetByLabel("Vad hände?").FillAsync($"{run} rapport {n:000}: bil i diket.");
            await page.Locator("#category-other").SelectOptionAsync("traffic");
            await page.GetByRole(AriaRole.Button, new() { Name = "Använd min position" }).ClickAsync();
            await Assertions.Expect(page.GetByTestId("report-location")).ToContainTextAsync(lat.ToString("0.00", CultureInfo.InvariantCulture));
            await page.Locator("#report-photo").SetInputFilesAsync(new FilePayload
            {
                Name = $"foto-{n:000}.png", MimeType = "image/png", Buffer = TestImages.Png(16, 12, (byte)n, 80, 120),
            });
            await Assertions.Expect(page.GetByTestId("report-photo-name")).ToContainTextAsync($"foto-{n:000}.png");
            await page.GetByRole(AriaRole.Button, new() { Name = "Skicka rapport" }).ClickAsync();
            await Assertions.Expect(banner).ToHaveAttributeAsync("data-queued", n.ToString(CultureInfo.InvariantCulture));
            await page.GetByRole(AriaRole.Button, new() { Name = "Ny rapport" }).ClickAsync();
        }
        Console.WriteLine($"outbox: {count} reports with photos queued offline in {queueWatch.Elapsed.TotalSeconds:0.0} s (form filled by Playwright)");

        var syncWatch = Stopwatch.StartNew();
        await context.SetOfflineAsync(false);
        await Assertions.Expect(banner).ToHaveAttributeAsync("data-queued", "0", new() { Timeout = 600_000, });
        var sync = syncWatch.Elapsed;
        var failed = await banner.GetAttributeAsync("data-failed");
        var twice = created.Count(k => k.Value > 1);
        Console.WriteLine($"outbox sync of {count} queued reports (photo upload + submit each): {sync.TotalSeconds:0.00} s, " +
            $"{count / sync.TotalSeconds:0.0} reports/s; 201 for {created.Count} keys, {twice} keys answered 201 twice, failed {failed}; " +
            $"submit statuses {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}"))}");

        // Baseline: the same work from HttpClient, sequential as the outbox is (it keeps the reports' order).
        using var http = new HttpClient { BaseAddress = new Uri(baseUrl) };
        var device = "bench-" + Guid.NewGuid().ToString("N");
        var baseWatch = Stopwatch.StartNew();
        for (var n = 1; n <= count; n++)
        {
            var (lat, lon) = Place(n);
            using var form = new MultipartFormDataContent();
            var file = new ByteArrayContent(TestImages.Png(16, 12, (byte)n, 80, 120));
            file.Headers.ContentType = MediaTypeHeaderValue.Parse("image/png");
            form.Add(file, "file", $"foto-{n:000}.png");
            using var upload = new HttpRequestMessage(HttpMethod.Post, "api/v1/media") { Content = form };
            upload.Headers.Add("X-Device-Id", device);
            using var uploaded = await http.SendAsync(upload);
            uploaded.EnsureSuccessStatusCode();
            var mediaId = (await uploaded.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("media_id").GetString();
            using var submit = new HttpRequestMessage(HttpMethod.Post, "api/v1/reports/submit")
            {
                Content = JsonContent.Create(new Dictionary<string, object?>
                {
                    ["category"] = "traffic", ["latitude"] = lat + 0.05, ["longitude"] = lon, ["accuracy_m"] = 10,
                    ["occurred_at"] = DateTime.UtcNow.AddMinutes(-5).ToString("O", CultureInfo.InvariantCulture),
                    ["description"] = $"{run} baslinje {n:000}: bil i diket.", ["device_id"] = device, ["media_ids"] = new[] { mediaId },
                }),
            };
            submit.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
            using var submitted = await http.SendAsync(submit);
            if ((int)submitted.StatusCode != 201) throw new InvalidOperationException($"baseline submit {n}: {(int)submitted.StatusCode} {await submitted.Content.ReadAsStringAsync()}");
        }
        var baseline = baseWatch.Elapsed;
        Console.WriteLine($"baseline, the same {count} uploads + submits from HttpClient: {baseline.TotalSeconds:0.00} s, {count / baseline.TotalSeconds:0.0} reports/s " +
            $"(outbox / baseline {sync / baseline:0.00}×)");
        if (created.Count != count || twice != 0 || failed != "0")
            throw new InvalidOperationException($"the outbox did not deliver each of the {count} reports exactly once");
    }

    /// <summary>A 20 × 10 grid over southern Sweden, 0.1° apart; the baseline's reports sit 0.05° north of the app's.</summary>
    private static (double Lat, double Lon) Place(int n) => (57.0 + (n - 1) % 20 * 0.1, 13.0 + (n - 1) / 20 * 0.1);
}
