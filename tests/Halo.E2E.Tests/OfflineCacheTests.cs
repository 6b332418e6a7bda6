using System.Globalization;
using Microsoft.Playwright;

namespace Halo.E2E.Tests;

/// <summary>The map's last incidents and forecast cells, saved in IndexedDB, shown offline and marked stale with their time.</summary>
[Collection(AppCollection.Name)]
public sealed class OfflineCacheTests(AppServer app)
{
    private const string Saved = """
        () => new Promise(resolve => {
            const r = indexedDB.open('halo-cache');
            r.onsuccess = () => {
                const db = r.result;
                if (!db.objectStoreNames.contains('views')) { resolve([]); return; }
                const all = db.transaction('views').objectStore('views').getAllKeys();
                all.onsuccess = () => resolve(all.result.map(String));
                all.onerror = () => resolve([]);
            };
            r.onerror = () => resolve([]);
        })
        """;

    [Fact]
    public Task AfterAnOnlineVisitAnOfflineReloadShowsTheCachedIncidentsAndHexagonsMarkedStaleWithTheirTime() => app.RunAsync(async page =>
    {
        // Stockholm: the seeded police events (one area) and the forecast's hot spot at Slussen.
        await app.OpenAsync(page, "?lat=59.325&lon=18.07&zoom=11");
        await AppServer.WaitForMapAttachedAsync(page);
        var map = page.GetByTestId("map");
        await Assertions.Expect(map).ToHaveAttributeAsync("data-incident-areas", "1");
        await Assertions.Expect(map).ToHaveAttributeAsync("data-hotspots-drawn-hour", "0");
        await Assertions.Expect(page.GetByTestId("map-stale")).ToHaveCountAsync(0);
        await page.EvaluateAsync("() => navigator.serviceWorker.ready.then(() => true)");
        await page.WaitForFunctionAsync($"async () => {{ const k = await ({Saved})(); return k.some(x => x.startsWith('incidents|')) && k.some(x => x.startsWith('hotspots|')); }}",
            null, new() { Timeout = 30_000, PollingInterval = 200 });
        var savedBy = DateTimeOffset.Now;

        await page.Context.SetOfflineAsync(true);
        await page.ReloadAsync();
        await AppServer.WaitForStartAsync(page);
        await AppServer.WaitForMapAttachedAsync(page);

        var stale = page.GetByTestId("map-stale");
        await Assertions.Expect(stale).ToBeVisibleAsync();
        await Assertions.Expect(stale).ToContainTextAsync("Offline – visar sparade data från");
        await Assertions.Expect(map).ToHaveAttributeAsync("data-incident-areas", "1");
        await Assertions.Expect(map).ToHaveAttributeAsync("data-hotspots-drawn-hour", "0");
        Assert.NotEqual("", await map.GetAttributeAsync("data-hotspots-stale"));
        // Both marks carry the time the data was saved (before going offline), and the note shows it in words.
        foreach (var attr in new[] { "data-incidents-at", "data-hotspots-at" })
        {
            var at = DateTimeOffset.Parse(await stale.GetAttributeAsync(attr) ?? "", CultureInfo.InvariantCulture);
            Assert.True(at <= savedBy && at > savedBy.AddMinutes(-5), $"{attr} {at:O}, saved by {savedBy:O}");
        }
        var hexagons = await page.EvaluateAsync<int>("() => window.haloMap.queryRenderedFeatures({ layers: [window.haloMapState.hotspotsLayer] }).length");
        Assert.True(hexagons > 0, "no cached hexagons drawn");
        await page.Context.SetOfflineAsync(false);
    }, new BrowserNewContextOptions { ServiceWorkers = ServiceWorkerPolicy.Allow });
}
