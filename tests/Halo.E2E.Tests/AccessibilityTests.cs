using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace Halo.E2E.Tests;

/// <summary>axe-core on every screen: no serious or critical violations; touch targets of at least 44 px.</summary>
[Collection(AppCollection.Name)]
public sealed class AccessibilityTests(AppServer app)
{
    internal static async Task ExpectNoSeriousViolationsAsync(IPage page, string screen)
    {
        // The map canvas is MapLibre's (a WebGL picture with its own keyboard handling); the page around it is ours.
        var result = await page.RunAxe(new AxeRunOptions { ResultTypes = [ResultType.Violations] });
        var serious = result.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        Assert.True(serious.Count == 0, $"{screen}: " + string.Join("\n", serious.Select(v =>
            $"{v.Impact} {v.Id}: {v.Help} — {string.Join("; ", v.Nodes.Take(5).Select(n => n.Target + " " + n.Html))}")));
    }

    /// <summary>Buttons, links, selects and inputs people tap (visible ones) that are smaller than 44×44 CSS px.</summary>
    private const string SmallTargets = """
        () => [...document.querySelectorAll('#app button, #app a[href], #app select, #app label.btn, #app .halo-tab, #app input[type=checkbox], #app input[type=radio]')]
            .filter(e => e.offsetParent !== null && !e.closest('.maplibregl-ctrl-attrib'))
            .map(e => {
                // A checkbox or radio is tapped through its label.
                const t = (e.type === 'checkbox' || e.type === 'radio') ? (e.closest('label') ?? e) : e;
                const r = t.getBoundingClientRect();
                return { what: (t.id || t.className || t.tagName) + ' "' + (t.textContent || '').trim().slice(0, 30) + '"', w: r.width, h: r.height };
            })
            .filter(x => x.w < 44 || x.h < 44)
            .map(x => `${x.what} ${Math.round(x.w)}×${Math.round(x.h)}`)
        """;

    internal static async Task ExpectLargeTargetsAsync(IPage page, string screen)
    {
        var small = await page.EvaluateAsync<string[]>(SmallTargets);
        Assert.True(small.Length == 0, $"{screen}: targets under 44 px: {string.Join(", ", small)}");
    }

    [Fact]
    public Task TheMapScreenHasNoSeriousViolationsAndLargeTargets() => app.RunAsync(async page =>
    {
        await app.OpenMapAsync(page);
        await Assertions.Expect(page.Locator(".risk-legend li").First).ToBeVisibleAsync();

        await ExpectNoSeriousViolationsAsync(page, "map");
        await ExpectLargeTargetsAsync(page, "map");
    });

    [Fact]
    public Task TheReportScreenHasNoSeriousViolationsAndLargeTargets() => app.RunAsync(async page =>
    {
        await app.OpenAsync(page, "report");
        await page.GetByLabel("Vad hände?").FillAsync("Två bilar har krockat i korsningen.");
        await Assertions.Expect(page.Locator(".suggestions label.suggestion").First).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Skicka rapport" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("report-error")).ToBeVisibleAsync(); // the error state too

        await ExpectNoSeriousViolationsAsync(page, "report");
        await ExpectLargeTargetsAsync(page, "report");
    });

    [Fact]
    public Task TheFeedScreenHasNoSeriousViolationsAndLargeTargets() => app.RunAsync(async page =>
    {
        await app.OpenAsync(page, "feed");
        await page.Locator("#feed-place").SelectOptionAsync("Stockholm");
        await Assertions.Expect(page.GetByTestId("feed-list").Locator("li").First).ToBeVisibleAsync();

        await ExpectNoSeriousViolationsAsync(page, "feed");
        await ExpectLargeTargetsAsync(page, "feed");
    });

    [Fact]
    public Task TheProfileScreenHasNoSeriousViolationsAndLargeTargets() => app.RunAsync(async page =>
    {
        await app.OpenAsync(page, "profile");
        await Assertions.Expect(page.GetByTestId("outbox-list")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("push-state")).ToBeVisibleAsync(); // the alerts card has asked the browser

        await ExpectNoSeriousViolationsAsync(page, "profile");
        await ExpectLargeTargetsAsync(page, "profile");
    });

    [Fact]
    public Task TheAlertsScreenHasNoSeriousViolationsAndLargeTargets() => app.RunAsync(async page =>
    {
        await app.OpenAsync(page, "alerts");
        await Assertions.Expect(page.GetByTestId("alerts-form")).ToBeVisibleAsync();
        await page.GetByTestId("alerts-quiet").CheckAsync(); // the quiet-hours selects too
        await page.Locator("#place-name").FillAsync("Hem");
        await page.Locator("#place-where").SelectOptionAsync("Uppsala");
        await page.GetByTestId("place-add").ClickAsync();
        await Assertions.Expect(page.GetByTestId("watched-places").Locator("li")).ToHaveCountAsync(1);
        await page.GetByRole(AriaRole.Button, new() { Name = "Spara inställningar" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("alerts-error")).ToBeVisibleAsync(); // anonymous, no push: the error state

        await ExpectNoSeriousViolationsAsync(page, "alerts");
        await ExpectLargeTargetsAsync(page, "alerts");
    });

    [Fact]
    public Task TheAlertsScreenIsInEnglishWhenTheAppIsInEnglish() => app.RunAsync(async page =>
    {
        await app.OpenAsync(page, "alerts");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Alerts", Exact = true })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByLabel("Lowest risk level")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Group, new() { Name = "Watched places" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Save settings" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByLabel("Alert me while the app is open (uses my position)")).ToBeVisibleAsync();
    }, new BrowserNewContextOptions { Locale = "en-GB" });

    [Fact]
    public Task ControlsAreNamedInEnglishWhenTheAppIsInEnglish() => app.RunAsync(async page =>
    {
        await app.OpenMapAsync(page);

        Assert.Equal("en", await page.Locator("html").GetAttributeAsync("lang"));
        await Assertions.Expect(page.GetByRole(AriaRole.Navigation, new() { Name = "Main navigation" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Region, new() { Name = "Map of incidents and risk" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Hide forecast" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Slider, new() { Name = "Forecast hour" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Group, new() { Name = "Risk of incidents" })).ToBeVisibleAsync();
    }, new BrowserNewContextOptions { Locale = "en-GB" });
}
