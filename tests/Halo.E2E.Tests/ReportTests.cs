using Microsoft.Playwright;

namespace Halo.E2E.Tests;

[Collection(AppCollection.Name)]
public sealed class ReportTests(AppServer app)
{
    [Fact]
    public Task PickerSuggestsTrafficForASwedishTrafficAccident() => app.RunAsync(async page =>
    {
        await app.OpenAsync(page, "report");

        await page.GetByLabel("Vad hände?").FillAsync("Två bilar har krockat i korsningen och en person är skadad.");

        var first = page.Locator(".suggestions label.suggestion").First;
        await Assertions.Expect(first).ToHaveAttributeAsync("data-category", "traffic");
        await Assertions.Expect(first.Locator("input")).ToBeCheckedAsync(); // preselected until the user picks
        Assert.Equal(3, await page.Locator(".suggestions label.suggestion").CountAsync());
    });

    [Fact]
    public Task SubmittingWithoutRequiredFieldsShowsWhatIsMissing() => app.RunAsync(async page =>
    {
        await app.OpenAsync(page, "report");

        await page.GetByRole(AriaRole.Button, new() { Name = "Skicka rapport" }).ClickAsync();

        await Assertions.Expect(page.GetByTestId("report-error")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-field=description]")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-field=location]")).ToBeVisibleAsync();
    });
}

[Collection(AppCollection.Name)]
public sealed class ReportLanguageTests(AppServer app)
{
    [Theory]
    [InlineData("sv-SE", "sv", "I dag", "Välj eller ta ett foto", "Inget foto valt.")]
    [InlineData("en-GB", "en", "Today", "Choose or take a photo", "No photo chosen.")]
    public Task TheTimeAndPhotoControlsSpeakTheAppsLanguage(string locale, string lang, string today, string choose, string none) => app.RunAsync(async page =>
    {
        await app.OpenAsync(page, "report");

        Assert.Equal(lang, await page.Locator("html").GetAttributeAsync("lang"));
        // App-made controls: no browser date picker or file button, whose words follow the browser, not the app.
        Assert.Equal(0, await page.Locator("input[type=datetime-local], input[type=date], input[type=time]").CountAsync());
        await Assertions.Expect(page.Locator("#report-time-day option:checked")).ToContainTextAsync(today);
        await Assertions.Expect(page.Locator("label[for=report-photo]")).ToContainTextAsync(choose);
        await Assertions.Expect(page.GetByTestId("report-photo-name")).ToHaveTextAsync(none);
        Assert.Equal("0", await page.Locator("#report-photo").EvaluateAsync<string>("e => getComputedStyle(e).opacity"));

        await page.Locator("#report-photo").SetInputFilesAsync(new FilePayload { Name = "bild.png", MimeType = "image/png", Buffer = TestImages.Png(8, 8, 1, 2, 3) });
        await Assertions.Expect(page.GetByTestId("report-photo-name")).ToContainTextAsync("bild.png");
    }, new BrowserNewContextOptions { Locale = locale });
}

[Collection(AppCollection.Name)]
public sealed class ReportSubmitTests(AppServer app)
{
    [Fact]
    public async Task AReportWithAPhotoJoinsTheClusterAndShowsTheResult()
    {
        // Someone else already reported a crash right here a few minutes ago.
        const double lat = 59.3350, lon = 18.0630;
        using (var http = new HttpClient { BaseAddress = new Uri(app.BaseUrl) })
        {
            var first = new HttpRequestMessage(HttpMethod.Post, "api/v1/reports/submit")
            {
                Content = new StringContent(
                    $$"""{"category":"traffic","latitude":{{lat}},"longitude":{{lon}},"accuracy_m":10,"occurred_at":"{{DateTime.UtcNow.AddMinutes(-5):O}}","description":"Krock mellan två bilar.","device_id":"e2e-other-device"}""",
                    System.Text.Encoding.UTF8, "application/json"),
            };
            first.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
            first.Headers.Add("X-Device-Id", "e2e-other-device");
            var res = await http.SendAsync(first);
            Assert.True(res.IsSuccessStatusCode, await res.Content.ReadAsStringAsync());
        }

        await app.RunAsync(async page =>
        {
            await app.OpenAsync(page, "report");
            await page.GetByLabel("Vad hände?").FillAsync("Två bilar har krockat i korsningen, en bilist verkar skadad.");
            await Assertions.Expect(page.Locator(".suggestions label.suggestion").First).ToHaveAttributeAsync("data-category", "traffic");
            await page.GetByRole(AriaRole.Button, new() { Name = "Använd min position" }).ClickAsync();
            await Assertions.Expect(page.GetByTestId("report-location")).ToContainTextAsync("±15 m");
            await page.Locator("#report-photo").SetInputFilesAsync(new FilePayload
            {
                Name = "krock.png", MimeType = "image/png", Buffer = TestImages.Png(64, 48, 200, 40, 40),
            });

            var upload = page.WaitForResponseAsync(r => r.Url.Contains("/api/v1/media", StringComparison.Ordinal));
            var submit = page.WaitForResponseAsync(r => r.Url.Contains("/api/v1/reports/submit", StringComparison.Ordinal));
            await page.GetByRole(AriaRole.Button, new() { Name = "Skicka rapport" }).ClickAsync();
            Assert.Equal(201, (await upload).Status);
            var submitted = await submit;
            Assert.Equal(201, submitted.Status);
            // Both the user's choice and the AI's suggestion are sent, with the uploaded photo's id.
            var sent = submitted.Request.PostDataJSON()!.Value;
            Assert.Equal("traffic", sent.GetProperty("category").GetString());
            Assert.Equal("traffic", sent.GetProperty("ai_suggestion").GetProperty("category").GetString());
            Assert.Single(sent.GetProperty("media_ids").EnumerateArray());
            Assert.False(string.IsNullOrEmpty(submitted.Request.Headers["idempotency-key"]));

            var outcome = page.GetByTestId("report-outcome");
            await Assertions.Expect(outcome).ToHaveAttributeAsync("data-new-incident", "false");
            await Assertions.Expect(outcome).ToContainTextAsync("befintlig händelse");
            // The earlier report came from the same machine (one network), so this one joins as the same witness.
            await Assertions.Expect(page.GetByTestId("outcome-reporters")).ToHaveTextAsync("1");
        }, new BrowserNewContextOptions
        {
            Geolocation = new Geolocation { Latitude = (float)lat, Longitude = (float)lon, Accuracy = 15 },
            Permissions = ["geolocation"],
        });
    }
}
