using Microsoft.Extensions.DependencyInjection;
using System.Globalization;
using Microsoft.Playwright;

namespace Halo.E2E.Tests;

[Collection(AppCollection.Name)]
public sealed class MapTests(AppServer app)
{
    // Layers that show incidents: coarse police events as areas, precise ones as points or clusters.
    // (A function, not an expression: the app's CSP forbids eval, which Playwright uses for expressions.)
    private const string IncidentFeatureCount =
        "() => window.haloMap && window.haloMap.getLayer('incident-areas-fill') && window.haloMap.queryRenderedFeatures({ layers: ['incident-areas-fill', 'incident-points', 'incident-clusters'] }).length > 0";

    [Fact]
    public Task MapLoadsAndDrawsIncidentsWithPoliceEventsAsTheirArea() => app.RunAsync(async page =>
    {
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        await app.OpenMapAsync(page);

        await page.WaitForFunctionAsync(IncidentFeatureCount);
        var map = page.GetByTestId("map");
        Assert.Equal("1", await map.GetAttributeAsync("data-incident-areas")); // all Stockholm police events share one area
        // The three precise Göteborg incidents are points (other tests may add verified citizen clusters elsewhere).
        Assert.True(int.Parse(await map.GetAttributeAsync("data-incident-points") ?? "0", CultureInfo.InvariantCulture) >= 3);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(AppServer.ArtifactsDirectory, "map.png") });
        Assert.Empty(errors);

        // The area's popup lists its events with type, time, summary and a source link.
        // Zoomed in on Bromma (in Stockholm municipality, away from any point another test may have added).
        await page.EvaluateAsync("() => { window.haloMap.jumpTo({ center: [17.94, 59.34], zoom: 11 }); }");
        await page.WaitForFunctionAsync("() => !window.haloMap.isMoving() && window.haloMap.loaded()");
        var stockholm = await page.EvaluateAsync<double[]>("() => { const p = window.haloMap.project([17.94, 59.34]); return [p.x, p.y]; }");
        var box = await map.BoundingBoxAsync();
        await page.Mouse.ClickAsync((float)(box!.X + stockholm[0]), (float)(box.Y + stockholm[1]));
        var popup = page.Locator(".halo-popup");
        await Assertions.Expect(popup).ToContainTextAsync("Stockholm");
        await Assertions.Expect(popup.Locator("a").First).ToHaveAttributeAsync("href", "https://polisen.se/aktuellt/handelser/");
    });

    // Hexagons are drawn in one of a few slots (one layer per forecast hour kept ready); the shown one is hotspotsLayer.
    private const string HexagonCount =
        "() => window.haloMap && window.haloMapState && window.haloMapState.hotspotsLayer ? window.haloMap.queryRenderedFeatures({ layers: [window.haloMapState.hotspotsLayer] }).length : 0";

    [Fact]
    public Task MapDrawsThePredictedHexagonsAndTheSliderSwapsToThatHour() => app.RunAsync(async page =>
    {
        await app.OpenMapAsync(page);
        await page.WaitForFunctionAsync("() => window.haloMap.loaded()");
        await page.EvaluateAsync("() => { window.haloMap.jumpTo({ center: [18.072, 59.3195], zoom: 12.5 }); }");

        await page.WaitForFunctionAsync(HexagonCount.Replace(" : 0", " > 0 : false", StringComparison.Ordinal));
        var drawn = await page.EvaluateAsync<int>(HexagonCount);
        Assert.True(drawn > 0);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(AppServer.ArtifactsDirectory, "hexagons.png") });
        // The prediction time of what is drawn in the shown layer.
        const string firstTime = "() => window.haloMap.queryRenderedFeatures({ layers: [window.haloMapState.hotspotsLayer] })[0].properties.prediction_time";
        var t0 = DateTime.Parse(await page.EvaluateAsync<string>(firstTime), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);

        // What the frame that reports hour 6 as drawn shows: read when the attribute changes, before another frame, so
        // a swap to a slot still holding its previous hour's cells is seen.
        await page.EvaluateAsync("""
            () => {
                const el = document.querySelector('[data-testid=map]');
                new MutationObserver((_, observer) => {
                    if (el.dataset.hotspotsDrawnHour !== '6') return;
                    observer.disconnect();
                    const cells = window.haloMap.queryRenderedFeatures({ layers: [window.haloMapState.hotspotsLayer] });
                    window.hour6FirstFrame = [...new Set(cells.map(f => f.properties.prediction_time))];
                }).observe(el, { attributes: true, attributeFilter: ['data-hotspots-drawn-hour'] });
            }
            """);

        // The slider is a range input (rendered once .NET has started); set it as a user would and let its input event reach the app.
        await Assertions.Expect(page.Locator("#hour-slider-input")).ToBeAttachedAsync();
        await page.EvaluateAsync("() => { const s = document.getElementById('hour-slider-input'); s.value = '6'; s.dispatchEvent(new Event('input', { bubbles: true })); }");

        await page.WaitForFunctionAsync("() => !!window.hour6FirstFrame");
        var firstFrame = await page.EvaluateAsync<string[]>("() => window.hour6FirstFrame");
        var expected = (t0 + TimeSpan.FromHours(6)).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        Assert.Equal([expected], firstFrame);
        var t6 = DateTime.Parse(await page.EvaluateAsync<string>(firstTime), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);
        Assert.Equal(TimeSpan.FromHours(6), t6 - t0);
        Assert.True(await page.EvaluateAsync<int>(HexagonCount) > 0);
    });

    [Fact]
    public Task TheMapStartedBeforeDotNetIsTheOneTheAppTakesOver() => app.RunAsync(async page =>
    {
        await page.GotoAsync(app.BaseUrl);

        // The map exists before .NET has rendered the map page (js/boot-map.js starts it).
        await page.WaitForFunctionAsync("() => !!window.haloMap");
        await page.EvaluateAsync("() => { window.bootMapInstance = window.haloMap; }");
        await AppServer.WaitForStartAsync(page);
        await AppServer.WaitForMapAttachedAsync(page);

        // .NET's map page holds that same map (moved into its element): one map, not two.
        Assert.True(await page.EvaluateAsync<bool>("() => window.haloMap === window.bootMapInstance"));
        Assert.Equal(1, await page.Locator(".maplibregl-map").CountAsync());
        Assert.Equal(1, await page.GetByTestId("map").Locator(".maplibregl-map").CountAsync());
        Assert.Equal(0, await page.Locator("#halo-early-map").CountAsync());
    });

    [Fact]
    public Task WithTilesBlockedTheOutlineBaseMapIsShown() => app.RunAsync(async page =>
    {
        await app.OpenMapAsync(page);

        await Assertions.Expect(page.GetByTestId("map")).ToHaveAttributeAsync("data-basemap", "outline");
        await Assertions.Expect(page.GetByTestId("basemap-outline")).ToBeVisibleAsync();
        // The note can be closed; the outline stays.
        await page.GetByTestId("basemap-outline").GetByRole(AriaRole.Button, new() { Name = "Stäng meddelandet" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("basemap-outline")).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByTestId("map")).ToHaveAttributeAsync("data-basemap", "outline");
        // The bundled municipality and county outlines are drawn.
        await page.WaitForFunctionAsync("() => window.haloMap.queryRenderedFeatures({ layers: ['areas-county'] }).length > 0");
        Assert.Equal("none", await page.EvaluateAsync<string>("() => window.haloMap.getLayoutProperty('tiles', 'visibility')"));
    });

    [Fact]
    public Task CentreOnMeMovesTheMapToTheDevicePosition() => app.RunAsync(async page =>
    {
        await app.OpenMapAsync(page);
        await page.WaitForFunctionAsync("() => window.haloMap.loaded()");

        await page.GetByRole(AriaRole.Button, new() { Name = "Centrera på mig" }).ClickAsync();

        await page.WaitForFunctionAsync(
            "() => { const c = window.haloMap.getCenter(); return !window.haloMap.isMoving() && Math.abs(c.lat - 57.7089) < 0.01 && Math.abs(c.lng - 11.9746) < 0.01; }");
        var zoom = await page.EvaluateAsync<double>("() => window.haloMap.getZoom()");
        Assert.True(zoom >= 12, zoom.ToString(CultureInfo.InvariantCulture));
    }, new BrowserNewContextOptions
    {
        Geolocation = new Geolocation { Latitude = 57.7089f, Longitude = 11.9746f, Accuracy = 20 },
        Permissions = ["geolocation"],
    });

    [Fact]
    public Task CentreOnMeExplainsARefusedPermission() => app.RunAsync(async page =>
    {
        await app.OpenMapAsync(page);

        await page.GetByRole(AriaRole.Button, new() { Name = "Centrera på mig" }).ClickAsync();

        await Assertions.Expect(page.GetByTestId("map-message")).ToContainTextAsync("platsåtkomst");
    }, new BrowserNewContextOptions { Permissions = [] });

    [Fact]
    public Task LayerTogglesAreRememberedAcrossReloads() => app.RunAsync(async page =>
    {
        const string incidentsHidden =
            "() => window.haloMap && window.haloMap.getLayer('incident-points') && window.haloMap.getLayoutProperty('incident-points', 'visibility') === 'none'";
        await app.OpenMapAsync(page);
        await page.GetByLabel("Händelser", new() { Exact = true }).UncheckAsync();
        await page.WaitForFunctionAsync(incidentsHidden);

        // A reload is a new start of .NET (and of the early map, which reads the choice itself).
        await page.ReloadAsync();
        await AppServer.WaitForStartAsync(page);

        await Assertions.Expect(page.GetByLabel("Händelser", new() { Exact = true })).Not.ToBeCheckedAsync();
        await page.WaitForFunctionAsync(incidentsHidden);
    });

    [Fact]
    public Task AFreshStartFramesSouthernSwedenAndTheMapTabHasItsIcon() => app.RunAsync(async page =>
    {
        await app.OpenMapAsync(page);

        // [west, south, east, north] of what is on screen: Malmö, Göteborg and Stockholm, not the empty north.
        var b = await page.EvaluateAsync<double[]>("() => { const b = window.haloMap.getBounds(); return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]; }");
        foreach (var (lon, lat) in new[] { (13.0, 55.6), (11.97, 57.71), (18.07, 59.33) })
            Assert.True(lon > b[0] && lon < b[2] && lat > b[1] && lat < b[3], $"({lon}, {lat}) is not in view {string.Join(", ", b)}");
        Assert.True(b[3] < 66, $"the view reaches {b[3]}° N: it frames the north");
        // The map's CSS no longer matches the Map tab's icon: it sits in the tab, not over the page.
        var icon = page.Locator(".halo-tab .tab-icon.map");
        Assert.Equal("static", await icon.EvaluateAsync<string>("e => getComputedStyle(e).position"));
        var iconBox = await icon.BoundingBoxAsync();
        var tabBox = await page.Locator(".halo-tabs").BoundingBoxAsync();
        Assert.True(iconBox!.Y >= tabBox!.Y, "the Map tab's icon is outside the tab bar");
    });

    [Fact]
    public Task AKnownPositionIsWhereTheMapOpens() => app.RunAsync(async page =>
    {
        // Saved by an earlier "Centre on me" (halo-map.js rememberPosition).
        await page.AddInitScriptAsync($"localStorage.setItem('halo.lastpos', JSON.stringify({{ lon: 11.9746, lat: 57.7089, at: Date.now() }}))");

        await app.OpenMapAsync(page);

        var c = await page.EvaluateAsync<double[]>("() => { const c = window.haloMap.getCenter(); return [c.lng, c.lat, window.haloMap.getZoom()]; }");
        Assert.InRange(c[0], 11.96, 11.99);
        Assert.InRange(c[1], 57.70, 57.72);
        Assert.True(c[2] >= 10);
    });

    [Fact]
    public Task TheForecastPanelCollapsesAndStaysCollapsedAfterAReload() => app.RunAsync(async page =>
    {
        await app.OpenMapAsync(page);
        var toggle = page.GetByTestId("forecast-toggle");
        await Assertions.Expect(page.Locator("#forecast-panel")).ToBeVisibleAsync();
        await Assertions.Expect(toggle).ToHaveAttributeAsync("aria-expanded", "true");

        await toggle.ClickAsync();

        await Assertions.Expect(page.Locator("#forecast-panel")).ToBeHiddenAsync();
        await Assertions.Expect(toggle).ToHaveAttributeAsync("aria-expanded", "false");
        await Assertions.Expect(toggle).ToHaveTextAsync("Visa prognos");
        await page.ReloadAsync();
        await AppServer.WaitForStartAsync(page);
        await Assertions.Expect(page.GetByTestId("forecast-toggle")).ToHaveAttributeAsync("aria-expanded", "false");
        await Assertions.Expect(page.Locator("#forecast-panel")).ToBeHiddenAsync();
    });

    [Fact]
    public Task ATapOnAHexagonWithEventsShowsItsRiskAndTheEvents() => app.RunAsync(async page =>
    {
        await app.OpenMapAsync(page);
        await page.WaitForFunctionAsync("() => window.haloMap.loaded()");
        // Slussen: the risk model's hot spot, inside Stockholm municipality (where the police events are drawn as the area).
        await page.EvaluateAsync("() => { window.haloMap.jumpTo({ center: [18.072, 59.3195], zoom: 12.5 }); }");
        const string hexAndAreaAtCentre = """
            () => {
                const m = window.haloMap, s = window.haloMapState;
                if (!s.hotspotsLayer || m.isMoving()) return false;
                const p = m.project(m.getCenter());
                const layers = m.queryRenderedFeatures(p, { layers: [s.hotspotsLayer, 'incident-areas-fill'] }).map(f => f.layer.id);
                return layers.includes(s.hotspotsLayer) && layers.includes('incident-areas-fill');
            }
            """;
        await page.WaitForFunctionAsync(hexAndAreaAtCentre);
        var centre = await page.EvaluateAsync<double[]>("() => { const p = window.haloMap.project(window.haloMap.getCenter()); return [p.x, p.y]; }");
        var box = await page.GetByTestId("map").BoundingBoxAsync();

        await page.Mouse.ClickAsync((float)(box!.X + centre[0]), (float)(box.Y + centre[1]));

        var popup = page.Locator(".halo-popup");
        await Assertions.Expect(popup.Locator(".popup-risk")).ToContainTextAsync("Risk:");
        // The map's cells come without factors; the tap fetched the cell's.
        await Assertions.Expect(popup.Locator(".popup-factors li").First).ToBeVisibleAsync();
        // In the app's language (Swedish here), from the structured factors, and an expected count never shown as 0.
        var factors = await popup.Locator(".popup-factors li").AllInnerTextsAsync();
        Assert.All(factors, t => Assert.DoesNotMatch(@"\b(events?|ago|average|within|past|background)\b", t));
        Assert.Contains(factors, t => System.Text.RegularExpressions.Regex.IsMatch(t, "händelse|genomsnitt|bakgrundsnivån"));
        Assert.DoesNotMatch(@"händelser: 0$", await popup.Locator(".popup-risk > div").First.InnerTextAsync());
        await Assertions.Expect(popup.Locator(".popup-area")).ToContainTextAsync("Stockholm");
        Assert.True(await popup.Locator(".popup-incident").CountAsync() > 0);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(AppServer.ArtifactsDirectory, "popup-risk-and-events.png") });
    });

    [Fact]
    public Task CellsForecastOnlyFromMunicipalityEventsAreDrawnAsTheMunicipalityWithTheirLegendEntry() => app.RunAsync(async page =>
    {
        await app.OpenMapAsync(page);
        await page.WaitForFunctionAsync("() => window.haloMap.loaded()");
        // Stockholm: the police events know only the municipality; the citizen history around Slussen is street-level.
        await page.EvaluateAsync("() => { window.haloMap.jumpTo({ center: [18.0, 59.33], zoom: 11 }); }");
        const string drawn = """
            () => {
                const m = window.haloMap, s = window.haloMapState;
                if (!s.hotspotsSource || m.isMoving()) return null;
                const f = m.querySourceFeatures(s.hotspotsSource);
                const areas = f.filter(x => x.properties.drawn_as === 'area').map(x => x.properties.area_name);
                const hexes = f.filter(x => x.properties.drawn_as !== 'area').length;
                return areas.length && hexes ? { areas: [...new Set(areas)], hexes } : null;
            }
            """;
        var shown = await page.WaitForFunctionAsync(drawn);
        var areas = (await shown.JsonValueAsync<System.Text.Json.JsonElement>()).GetProperty("areas").EnumerateArray().Select(a => a.GetString()).ToList();
        Assert.Equal(["Stockholm"], areas);
        // Fine hexagons stay hexagons, on top of the area; the legend says which is which.
        await Assertions.Expect(page.GetByTestId("map")).ToHaveAttributeAsync("data-hotspot-areas", "1");
        await Assertions.Expect(page.GetByTestId("legend-area")).ToContainTextAsync("bara kommunen eller länet är känt");
        await Assertions.Expect(page.Locator(".legend-shapes [data-shape=hex]")).ToContainTextAsync("känd plats");

        // A tap on the area away from the hexagons: the popup says why the whole municipality is drawn.
        const string areaOnly = """
            () => {
                const m = window.haloMap, s = window.haloMapState, c = m.getCanvas(), r = c.getBoundingClientRect();
                for (let y = 40; y < c.clientHeight - 40; y += 12)
                    for (let x = 20; x < c.clientWidth - 20; x += 12) {
                        if (document.elementFromPoint(r.left + x, r.top + y) !== c) continue; // under the overlays
                        const f = m.queryRenderedFeatures([x, y], { layers: [s.hotspotsLayer] });
                        if (f.length && f.every(h => h.properties.drawn_as === 'area')) return [x, y];
                    }
                return null;
            }
            """;
        var at = await (await page.WaitForFunctionAsync(areaOnly)).JsonValueAsync<double[]>();
        var box = await page.GetByTestId("map").BoundingBoxAsync();
        await page.Mouse.ClickAsync((float)(box!.X + at[0]), (float)(box.Y + at[1]));
        var popup = page.Locator(".halo-popup .popup-risk");
        await Assertions.Expect(popup.Locator(".popup-area-forecast")).ToContainTextAsync("bara kommunen är känd, så den visas över hela Stockholm");
        await Assertions.Expect(popup).ToContainTextAsync("per sexhörning");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(AppServer.ArtifactsDirectory, "map-area-forecast.png") });
    });

    [Fact]
    public Task APopupNearTheEdgeOfA360PixelScreenStaysOnIt() => app.RunAsync(async page =>
    {
        await app.OpenMapAsync(page);
        await page.WaitForFunctionAsync("() => window.haloMap.loaded()");
        // Slussen's hexagons 30 px from the right edge.
        await page.EvaluateAsync("""
            () => {
                const m = window.haloMap;
                m.jumpTo({ center: [18.072, 59.3195], zoom: 12.5 });
                const p = m.project([18.072, 59.3195]);
                m.jumpTo({ center: m.unproject([p.x - (m.getCanvas().clientWidth / 2 - 30), p.y]) });
            }
            """);
        const string hexAtSlussen = """
            () => {
                const m = window.haloMap, s = window.haloMapState;
                if (!s.hotspotsLayer || m.isMoving()) return null;
                const p = m.project([18.072, 59.3195]);
                const f = m.queryRenderedFeatures(p, { layers: [s.hotspotsLayer] });
                return f.some(x => x.properties.drawn_as !== 'area') ? [p.x, p.y] : null;
            }
            """;
        var at = await (await page.WaitForFunctionAsync(hexAtSlussen)).JsonValueAsync<double[]>();
        Assert.True(at[0] > 300, $"tapped at x={at[0]}");
        var box = await page.GetByTestId("map").BoundingBoxAsync();
        await page.Mouse.ClickAsync((float)(box!.X + at[0]), (float)(box.Y + at[1]));
        // Measured after the factors have arrived (the popup grows then).
        await Assertions.Expect(page.Locator(".halo-popup .popup-factors li").First).ToBeVisibleAsync();
        await page.WaitForTimeoutAsync(300);
        var popup = await page.Locator(".maplibregl-popup").BoundingBoxAsync();
        Assert.NotNull(popup);
        Assert.True(popup.X >= 0 && popup.X + popup.Width <= 360, $"popup at x {popup.X}..{popup.X + popup.Width} on a 360 px screen");
        Assert.True(popup.Y >= 0 && popup.Y + popup.Height <= 740, $"popup at y {popup.Y}..{popup.Y + popup.Height}");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(AppServer.ArtifactsDirectory, "popup-360.png") });
    }, new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 360, Height = 740 } });

    [Fact]
    public Task TheLegendOpensTheForecastsReportCardWithTheRegistrysFigures() => app.RunAsync(async page =>
    {
        await app.OpenMapAsync(page);
        await page.GetByTestId("forecast-about").ClickAsync();

        var card = page.GetByTestId("report-card");
        await Assertions.Expect(card.GetByTestId("card-served")).ToBeVisibleAsync();
        var json = await page.EvaluateAsync<System.Text.Json.JsonElement>("() => fetch('api/v1/predictions/report-card').then(r => r.json())");
        static string R(System.Text.Json.JsonElement e, string name) => e.GetProperty(name).GetDouble().ToString("R", CultureInfo.InvariantCulture);
        var served = json.GetProperty("served");
        await Assertions.Expect(card.GetByTestId("card-served")).ToHaveAttributeAsync("data-hit-rate5", R(served, "hit_rate5"));
        await Assertions.Expect(card.GetByTestId("card-served")).ToHaveAttributeAsync("data-pai5", R(served, "pai5"));
        await Assertions.Expect(card.GetByTestId("card-served")).ToContainTextAsync("De 5 % av ytan");
        if (json.GetProperty("best_naive").ValueKind == System.Text.Json.JsonValueKind.Object)
            await Assertions.Expect(card.GetByTestId("card-naive")).ToHaveAttributeAsync("data-pai5", R(json.GetProperty("best_naive"), "pai5"));
        await Assertions.Expect(card.GetByTestId("card-window")).ToHaveCountAsync(json.GetProperty("windows").GetArrayLength());
        // The browser's clock is Stockholm's (AppServer's context).
        var trained = TimeZoneInfo.ConvertTimeFromUtc(json.GetProperty("trained_at").GetDateTime().ToUniversalTime(),
            TimeZoneInfo.FindSystemTimeZoneById("Europe/Stockholm")).ToString("g", CultureInfo.GetCultureInfo("sv-SE"));
        var model = await card.GetByTestId("card-model").InnerTextAsync();
        Assert.True(model.Contains(trained, StringComparison.Ordinal), $"'{model}' lacks '{trained}'");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(AppServer.ArtifactsDirectory, "report-card.png") });

        await card.GetByTestId("report-card-close").ClickAsync();
        await Assertions.Expect(card).ToHaveCountAsync(0);
    });

    [Fact]
    public async Task WhereNothingHappenedLatelyTheMapSaysSoAndOffersTheLatestPeriodWithItsRealDates()
    {
        // Luleå has only old events (as the bundled sample, which ends in 2024): the newest on 20 May 2024.
        const double lat = 65.5848, lon = 22.1547;
        var newest = new DateTime(2024, 5, 20, 10, 0, 0, DateTimeKind.Utc);
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<Halo.Api.Data.HaloDbContext>();
            for (var k = 0; k < 4; k++)
                db.Add(TestData.Incident(Halo.Api.Features.Incidents.IncidentSources.Citizen, null, "theft", "theft", "Cykelstöld vid stationen.",
                    newest.AddDays(-3 * k), lat + k * 0.002, lon + k * 0.002, null, 30, verified: true));
            await db.SaveChangesAsync();
        }

        await app.RunAsync(async page =>
        {
            await page.AddInitScriptAsync($"localStorage.setItem('halo.lastpos', JSON.stringify({{ lon: {lon.ToString(CultureInfo.InvariantCulture)}, lat: {lat.ToString(CultureInfo.InvariantCulture)}, at: Date.now() }}))");
            await app.OpenMapAsync(page);

            var empty = page.GetByTestId("map-empty");
            await Assertions.Expect(empty).ToContainTextAsync("Inga händelser här de senaste 30 dagarna");
            var sv = CultureInfo.GetCultureInfo("sv-SE");
            var from = newest.AddDays(-30).ToLocalTime().ToString("d MMM yyyy", sv);
            var to = newest.ToLocalTime().ToString("d MMM yyyy", sv);
            var offer = page.GetByTestId("show-latest");
            await Assertions.Expect(offer).ToContainTextAsync($"{from} – {to}");

            await offer.ClickAsync();

            await Assertions.Expect(page.GetByTestId("map-period")).ToContainTextAsync($"Visar händelser {from} – {to}");
            await page.WaitForFunctionAsync("() => Number(document.querySelector('[data-testid=map]').dataset.incidentPoints) === 4");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(AppServer.ArtifactsDirectory, "map-latest-period.png") });

            await page.GetByTestId("map-period").GetByRole(AriaRole.Button, new() { Name = "Visa senaste 30 dagarna" }).ClickAsync();
            await Assertions.Expect(page.GetByTestId("map-empty")).ToBeVisibleAsync();
            await page.WaitForFunctionAsync("() => Number(document.querySelector('[data-testid=map]').dataset.incidentPoints) === 0");
        });
    }
}
