using Microsoft.Playwright;

namespace Halo.E2E.Tests;

/// <summary>The app's start (js/boot-map.js, js/app.js): .NET starts and replaces the static shell whatever the early map does.</summary>
[Collection(AppCollection.Name)]
public sealed class StartTests(AppServer app)
{
    // What a browser without WebGL (unsupported, disabled or blocked) answers when asked for a WebGL context.
    private const string NoWebGL = """
        (() => {
            const getContext = HTMLCanvasElement.prototype.getContext;
            HTMLCanvasElement.prototype.getContext = function (type, ...rest) {
                return /webgl/i.test(String(type)) ? null : getContext.call(this, type, ...rest);
            };
        })()
        """;

    [Fact]
    public Task WhenTheMapLibraryCannotLoadTheAppStillStartsAndSaysTheMapIsUnavailable() => app.RunAsync(async page =>
    {
        await page.RouteAsync("**/lib/maplibre-gl/maplibre-gl.mjs", route => route.AbortAsync("failed"));

        await app.OpenAsync(page);

        await ExpectStartedWithoutMapAsync(page);
    });

    [Fact]
    public Task WithoutWebGLTheAppStillStartsAndSaysTheMapIsUnavailable() => app.RunAsync(async page =>
    {
        await page.AddInitScriptAsync(NoWebGL);

        await app.OpenAsync(page);

        await ExpectStartedWithoutMapAsync(page);
    });

    [Fact]
    public Task WhenDotNetCannotStartThePageSaysSoInsteadOfLoadingForever() => app.RunAsync(async page =>
    {
        // The runtime's loader module: without it Blazor.start() rejects.
        await page.RouteAsync(url => url.Contains("/_framework/dotnet.", StringComparison.Ordinal) && url.EndsWith(".js", StringComparison.Ordinal),
            route => route.AbortAsync("failed"));

        await page.GotoAsync(app.BaseUrl);

        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("data-halo-start", "failed",
            new LocatorAssertionsToHaveAttributeOptions { Timeout = (float)AppServer.StartTimeout.TotalMilliseconds });
        var status = page.Locator("#app .boot");
        await Assertions.Expect(status).ToHaveAttributeAsync("role", "alert");
        await Assertions.Expect(status).ToContainTextAsync("Halo kunde inte starta");
        await Assertions.Expect(status.GetByRole(AriaRole.Link, new() { Name = "Ladda om / Reload" })).ToBeVisibleAsync();
        await Assertions.Expect(status).Not.ToContainTextAsync("laddar");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(AppServer.ArtifactsDirectory, "start-failed.png") });
    });

    // .NET rendered the map tab without a map: it says why, its controls are there and the other tabs work.
    private static async Task ExpectStartedWithoutMapAsync(IPage page)
    {
        await Assertions.Expect(page.GetByTestId("map-unavailable")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("map-unavailable")).ToContainTextAsync("Kartan kan inte visas");
        await Assertions.Expect(page.GetByLabel("Händelser", new() { Exact = true })).ToBeCheckedAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(AppServer.ArtifactsDirectory, "map-unavailable.png") });
        Assert.Equal(0, await page.Locator("#halo-early-map").CountAsync());
        Assert.Equal(0, await page.Locator(".maplibregl-map").CountAsync());
        Assert.False(await page.Locator("#blazor-error-ui").IsVisibleAsync()); // handled, not an unhandled error

        await page.GetByRole(AriaRole.Link, new() { Name = "Rapportera" }).ClickAsync();
        await Assertions.Expect(page.GetByLabel("Vad hände?")).ToBeVisibleAsync();
    }
}
