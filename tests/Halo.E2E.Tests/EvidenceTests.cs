using System.Text.Json;
using Halo.Api.Data;
using Halo.Api.Features.Media;
using Halo.Api.Features.Reports;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Halo.E2E.Tests;

/// <summary>
/// "Record evidence" in a Chromium with fake camera and microphone: the clip goes up with the report through the
/// outbox and is linked to it; motion events dispatched in the page give the summary their values call for.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class EvidenceTests(AppServer app)
{
    private const double G = 9.80665;

    [Fact]
    public async Task ARecordedClipIsUploadedAndLinkedAndDispatchedMotionGivesTheExpectedSummary()
    {
        // Away from the other tests' reports, so this one starts its own cluster.
        const double lat = 59.2900, lon = 18.1100;
        var browser = await app.MediaBrowserAsync();
        await app.RunAsync(async page =>
        {
            await app.OpenAsync(page, "report");
            await page.GetByLabel("Vad hände?").FillAsync("En cyklist blev påkörd och föll hårt mot asfalten.");
            await page.Locator("#category-other").SelectOptionAsync("traffic");
            await page.GetByRole(AriaRole.Button, new() { Name = "Använd min position" }).ClickAsync();
            await Assertions.Expect(page.GetByTestId("report-location")).ToContainTextAsync("±10 m");

            // Nothing runs before the tap; the tap starts camera, microphone, motion and position.
            var evidence = page.GetByTestId("evidence");
            await Assertions.Expect(evidence).ToHaveAttributeAsync("data-state", "idle");
            await Assertions.Expect(evidence).ToContainTextAsync("Inget spelas in förrän du trycker");
            await page.GetByRole(AriaRole.Button, new() { Name = "Spela in bevis" }).ClickAsync();
            await Assertions.Expect(evidence).ToHaveAttributeAsync("data-state", "recording");

            // At rest (1 g), a hit of 5 g (3 g sideways, 4 g up) one 16 ms sample later, back to rest, a small wobble:
            // peak 5 g, an impact (≥ 4 g), jerk |(0, 3, 3) g| / 16 ms = 265.17 g/s.
            await page.EvaluateAsync("""
                g => { for (const [x, y, z] of [[0, 0, 1], [0, 3, 4], [0, 0, 1], [0.5, 0, 0.8]])
                    window.dispatchEvent(new DeviceMotionEvent('devicemotion', { accelerationIncludingGravity: { x: x * g, y: y * g, z: z * g }, interval: 16 })); }
                """, G);
            // The reporter moves 0.001° north (111 m) while recording.
            await page.Context.SetGeolocationAsync(new Geolocation { Latitude = (float)(lat + 0.001), Longitude = (float)lon, Accuracy = 10 });

            var stop = page.GetByTestId("evidence-stop");
            await Assertions.Expect(stop).ToHaveTextAsync("Stoppa inspelningen", new() { Timeout = 30_000 }); // from 5 s on
            await stop.ClickAsync();

            var summary = page.GetByTestId("evidence-summary");
            await Assertions.Expect(summary).ToBeVisibleAsync();
            await Assertions.Expect(summary).ToHaveAttributeAsync("data-peak-g", "5");
            await Assertions.Expect(summary).ToHaveAttributeAsync("data-impact", "true");
            await Assertions.Expect(summary).ToHaveAttributeAsync("data-jerk", "265.17");
            await Assertions.Expect(page.GetByTestId("evidence-peak-g")).ToHaveTextAsync("5,00 g");
            await Assertions.Expect(page.GetByTestId("evidence-impact")).ToHaveTextAsync("Ja");
            // Chromium's fake microphone beeps: some sound, never above full scale, the mean below the peak.
            var audioPeak = double.Parse((await summary.GetAttributeAsync("data-audio-peak"))!, System.Globalization.CultureInfo.InvariantCulture);
            var audioMean = double.Parse((await summary.GetAttributeAsync("data-audio-mean"))!, System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(audioPeak, -100, 0);
            Assert.InRange(audioMean, -160, audioPeak);
            var trackPoints = int.Parse((await summary.GetAttributeAsync("data-track-points"))!, System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(trackPoints >= 1, "the GPS track has at least the starting fix");

            // The recorded state of the report screen passes the same accessibility checks as the rest.
            await AccessibilityTests.ExpectNoSeriousViolationsAsync(page, "report with evidence");
            await AccessibilityTests.ExpectLargeTargetsAsync(page, "report with evidence");

            var uploaded = page.WaitForResponseAsync(r => r.Url.Contains("/api/v1/media", StringComparison.Ordinal));
            var submitted = page.WaitForResponseAsync(r => r.Url.Contains("/api/v1/reports/submit", StringComparison.Ordinal));
            await page.GetByRole(AriaRole.Button, new() { Name = "Skicka rapport" }).ClickAsync();
            var upload = await uploaded;
            Assert.Equal(201, upload.Status);
            var media = (await upload.JsonAsync())!.Value;
            Assert.Equal("video", media.GetProperty("kind").GetString());
            var submit = await submitted;
            Assert.Equal(201, submit.Status);
            var reportId = (await submit.JsonAsync())!.Value.GetProperty("report_id").GetGuid();
            var mediaId = media.GetProperty("media_id").GetGuid();
            await Assertions.Expect(page.GetByTestId("report-outcome")).ToBeVisibleAsync();

            // On the server: the clip is the report's evidence, and the summary is stored with the report.
            await using var scope = app.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<HaloDbContext>();
            var item = await db.Set<MediaItem>().AsNoTracking().SingleAsync(m => m.Id == mediaId);
            Assert.Equal(reportId, item.ReportId);
            Assert.Equal(MediaKinds.Video, item.Kind);
            Assert.Equal("video/webm", item.ContentType);
            Assert.True(item.SizeBytes > 10_000, $"a clip of 5 s or more, got {item.SizeBytes} bytes");
            var report = await db.Set<CitizenReport>().AsNoTracking().SingleAsync(r => r.Id == reportId);
            Assert.Equal(1, report.MediaCount);
            var sensors = JsonDocument.Parse(report.SensorsJson!).RootElement;
            Assert.Equal(5, sensors.GetProperty("peak_g").GetDouble());
            Assert.True(sensors.GetProperty("impact_detected").GetBoolean());
            Assert.Equal(265.17, sensors.GetProperty("jerk").GetDouble());
            Assert.Equal(audioPeak, sensors.GetProperty("audio_peak_dbfs").GetDouble());
            Assert.Equal(trackPoints, sensors.GetProperty("gps_points").GetInt32());
        }, new BrowserNewContextOptions
        {
            Geolocation = new Geolocation { Latitude = (float)lat, Longitude = (float)lon, Accuracy = 10 },
            Permissions = ["geolocation", "camera", "microphone", "accelerometer", "gyroscope"],
        }, browser);
    }

    [Fact]
    public async Task WithoutCameraPermissionTheScreenSaysSoAndTheReportIsSentWithoutEvidence()
    {
        const double lat = 59.2700, lon = 18.1500;
        var browser = await app.MediaBrowserAsync();
        await app.RunAsync(async page =>
        {
            // The user said no to camera and microphone for this site (the browser's setting, as after a "Block" answer).
            var cdp = await page.Context.NewCDPSessionAsync(page);
            foreach (var permission in new[] { "camera", "microphone" })
                await cdp.SendAsync("Browser.setPermission", new Dictionary<string, object>
                {
                    ["permission"] = new Dictionary<string, object> { ["name"] = permission },
                    ["setting"] = "denied",
                    ["origin"] = app.BaseUrl.TrimEnd('/'),
                    ["browserContextId"] = await BrowserContextIdAsync(cdp),
                });
            await app.OpenAsync(page, "report");
            await page.GetByLabel("Vad hände?").FillAsync("Någon har sprejat klotter på busskuren.");
            await page.Locator("#category-other").SelectOptionAsync("vandalism");
            await page.GetByRole(AriaRole.Button, new() { Name = "Använd min position" }).ClickAsync();
            await Assertions.Expect(page.GetByTestId("report-location")).ToContainTextAsync("±10 m");

            await page.GetByRole(AriaRole.Button, new() { Name = "Spela in bevis" }).ClickAsync();

            await Assertions.Expect(page.GetByTestId("evidence")).ToHaveAttributeAsync("data-state", "denied");
            var message = page.GetByTestId("evidence-message");
            await Assertions.Expect(message).ToHaveAttributeAsync("role", "alert");
            await Assertions.Expect(message).ToContainTextAsync("fick inte använda kameran eller mikrofonen");
            await Assertions.Expect(message).ToContainTextAsync("skicka rapporten utan bevis");

            var submitted = page.WaitForResponseAsync(r => r.Url.Contains("/api/v1/reports/submit", StringComparison.Ordinal));
            await page.GetByRole(AriaRole.Button, new() { Name = "Skicka rapport" }).ClickAsync();
            var submit = await submitted;
            Assert.Equal(201, submit.Status);
            var sent = submit.Request.PostDataJSON()!.Value;
            Assert.False(sent.TryGetProperty("sensors", out _));
            Assert.Empty(sent.GetProperty("media_ids").EnumerateArray());
            await Assertions.Expect(page.GetByTestId("report-outcome")).ToBeVisibleAsync();
        }, new BrowserNewContextOptions
        {
            Geolocation = new Geolocation { Latitude = (float)lat, Longitude = (float)lon, Accuracy = 10 },
            Permissions = ["geolocation"],
        }, browser);
    }

    private static async Task<string> BrowserContextIdAsync(ICDPSession cdp)
    {
        var info = await cdp.SendAsync("Target.getTargetInfo");
        return info!.Value.GetProperty("targetInfo").GetProperty("browserContextId").GetString()!;
    }
}
