using Microsoft.Playwright;

namespace Halo.E2E.Tests;

[Collection(AppCollection.Name)]
public sealed class ReportTests(AppServer app)
{
    [Fact]
    public async Task PickerSuggestsTrafficForASwedishTrafficAccident()
    {
        await using var context = await app.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(app.BaseUrl + "report");

        await page.GetByLabel("Vad hände?").FillAsync("Två bilar har krockat i korsningen och en person är skadad.");

        var first = page.Locator(".suggestions label.suggestion").First;
        await Assertions.Expect(first).ToHaveAttributeAsync("data-category", "traffic");
        await Assertions.Expect(first.Locator("input")).ToBeCheckedAsync(); // preselected until the user picks
        Assert.Equal(3, await page.Locator(".suggestions label.suggestion").CountAsync());
    }

    [Fact]
    public async Task SubmittingWithoutRequiredFieldsShowsWhatIsMissing()
    {
        await using var context = await app.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(app.BaseUrl + "report");

        await page.GetByRole(AriaRole.Button, new() { Name = "Skicka rapport" }).ClickAsync();

        await Assertions.Expect(page.GetByTestId("report-error")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-field=description]")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-field=location]")).ToBeVisibleAsync();
    }
}
