using System.Globalization;
using Microsoft.Playwright;

// Usage: Halo.Bench.App <base-url> [runs] [sync]
// Each run opens a fresh browser context (empty HTTP cache, no service worker): the cold load. It then reloads in
// the same context, where the service worker serves the app shell: the repeat load. Times are the page's own
// performance.now() (from navigation start) when the map has drawn its first frame with data.
var baseUrl = args.Length > 0 ? args[0].TrimEnd('/') + "/" : "http://127.0.0.1:5080/";
var runs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5;
// Reports to queue offline and sync (OutboxSync.cs); 0 skips it.
var sync = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 0;

using var playwright = await Playwright.CreateAsync();
await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
{
    ExecutablePath = "/usr/bin/chromium",
    Headless = true,
    Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--use-angle=swiftshader", "--enable-unsafe-swiftshader"],
});

// Drawn: the map has rendered a frame with the shown forecast hour's layer (drawnHour is set on the first frame after
// it is swapped in), the outline base map has rendered features, and the shown layer has hexagons on screen (run.sh
// waits until the server has a trained risk model before it starts).
const string Drawn = """
    () => {
      const m = window.haloMap, s = window.haloMapState;
      if (!m || !s || s.drawnHour === undefined || !s.hotspotsLayer || !m.getLayer('areas-county')) return false;
      if (m.queryRenderedFeatures({ layers: ['areas-county'] }).length === 0) return false;
      return m.queryRenderedFeatures({ layers: [s.hotspotsLayer] }).length > 0;
    }
    """;

// One slider step as a user makes it (an input event on the range), timed until the map has drawn that hour's layer.
const string SliderStep = """
    async (h) => {
      const s = document.getElementById('hour-slider-input');
      const t0 = performance.now();
      s.value = String(h);
      s.dispatchEvent(new Event('input', { bubbles: true }));
      await new Promise(done => {
        const check = () => document.querySelector('[data-testid=map]').dataset.hotspotsDrawnHour === String(h) ? done() : requestAnimationFrame(check);
        check();
      });
      return performance.now() - t0;
    }
    """;
var slider = new List<double>();

// The page's own record of the same moment: the later of the first frames with hexagons and with the outline
// (performance marks set on MapLibre's render event in halo-map.js). Polling from Playwright lags behind it on a busy
// machine, so both are reported.
const string Marked = """
    () => Math.max(...['halo-hexagons-drawn', 'halo-outline-drawn'].map(n => { const m = performance.getEntriesByName(n)[0]; return m ? m.startTime : NaN; }))
    """;
var coldMarked = new List<double>();
var repeatMarked = new List<double>();

var cold = new List<double>();
var repeat = new List<double>();
long coldBytes = 0, coldRequests = 0, apiBytes = 0, apiRequests = 0;
for (var i = 0; i < runs; i++)
{
    await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { Locale = "sv-SE", ViewportSize = new() { Width = 420, Height = 820 } });
    await context.RouteAsync(url => !url.StartsWith(baseUrl, StringComparison.Ordinal), r => r.AbortAsync("internetdisconnected"));
    var page = await context.NewPageAsync();
    var responses = new List<IResponse>();
    page.Response += (_, r) => { lock (responses) responses.Add(r); };
    page.Console += (_, m) => { if (m.Type is "error" or "warning") Console.Error.WriteLine($"console {m.Type}: {m.Text}"); };
    page.PageError += (_, e) => Console.Error.WriteLine($"page error: {e}");

    await page.GotoAsync(baseUrl);
    await page.WaitForFunctionAsync(Drawn, null, new() { Timeout = 60_000, PollingInterval = 10 });
    cold.Add(await page.EvaluateAsync<double>("() => performance.now()"));
    coldMarked.Add(await page.EvaluateAsync<double>(Marked));
    if (i == 0)
    {
        // Sizes once the app is fully up (.NET starts after the first hexagons, so it is still loading at that point).
        // A snapshot: prefetches may still be answering while the sizes are read. API answers are counted apart.
        await page.WaitForFunctionAsync("() => !!document.getElementById('hour-slider-input')", null, new() { Timeout = 60_000 });
        List<IResponse> snapshot;
        lock (responses) snapshot = [.. responses];
        foreach (var r in snapshot)
        {
            var sizes = await r.Request.SizesAsync();
            var bytes = sizes.ResponseBodySize + sizes.ResponseHeadersSize;
            if (new Uri(r.Url).AbsolutePath.StartsWith("/api/", StringComparison.Ordinal)) { apiBytes += bytes; apiRequests++; }
            else { coldBytes += bytes; coldRequests++; }
        }
    }

    // Wait for the service worker to finish caching the shell, then load again.
    await page.WaitForFunctionAsync("async () => { const r = await navigator.serviceWorker.ready; return !!r.active; }", null, new() { Timeout = 60_000 });
    // TRACE=file: a Chromium performance trace of the first run's repeat load, to see where its time goes.
    var trace = i == 0 ? Environment.GetEnvironmentVariable("TRACE") : null;
    ICDPSession? cdp = null;
    var traceEvents = new List<System.Text.Json.JsonElement>();
    var traced = new TaskCompletionSource();
    if (!string.IsNullOrEmpty(trace))
    {
        cdp = await context.NewCDPSessionAsync(page);
        cdp.Event("Tracing.dataCollected").OnEvent += (_, e) => { if (e is { } v) lock (traceEvents) traceEvents.AddRange(v.GetProperty("value").EnumerateArray().Select(x => x.Clone())); };
        cdp.Event("Tracing.tracingComplete").OnEvent += (_, _) => traced.TrySetResult();
        await cdp.SendAsync("Tracing.start", new Dictionary<string, object>
        {
            ["categories"] = "devtools.timeline,disabled-by-default-devtools.timeline,v8,v8.execute,blink.user_timing,loading,toplevel",
            ["transferMode"] = "ReportEvents",
        });
    }
    await page.ReloadAsync();
    await page.WaitForFunctionAsync(Drawn, null, new() { Timeout = 60_000, PollingInterval = 10 });
    if (cdp is not null)
    {
        await cdp.SendAsync("Tracing.end");
        await traced.Task.WaitAsync(TimeSpan.FromSeconds(60));
        string json;
        lock (traceEvents) json = System.Text.Json.JsonSerializer.Serialize(new { traceEvents });
        await File.WriteAllTextAsync(trace!, json);
    }
    var controlled = await page.EvaluateAsync<bool>("() => !!navigator.serviceWorker.controller");
    if (!controlled) throw new InvalidOperationException("The repeat load was not served by the service worker.");
    repeat.Add(await page.EvaluateAsync<double>("() => performance.now()"));
    repeatMarked.Add(await page.EvaluateAsync<double>(Marked));
    await page.WaitForFunctionAsync("() => performance.getEntriesByName('halo-map-attached').length > 0 && !!document.getElementById('hour-slider-input')", null, new() { Timeout = 60_000 });
    // Where the repeat load's time went: the map started from JS, the first hexagons drawn, .NET taking the map over.
    var marks = await page.EvaluateAsync<string>("""
        () => {
          const marks = performance.getEntriesByType('mark').filter(m => m.name.startsWith('halo-')).sort((a, b) => a.startTime - b.startTime)
            .map(m => m.name.replace('halo-', '') + ' ' + Math.round(m.startTime));
          const nav = performance.getEntriesByType('navigation')[0];
          const first = performance.getEntriesByType('resource').find(r => r.name.includes('/predictions/hotspots'));
          const t = v => Math.round(v);
          return marks.join(', ') + (nav ? `; document ${t(nav.responseEnd)}, parsed ${t(nav.domInteractive)}` : '')
            + (first ? `; first hotspots request ${t(first.startTime)}, answer starts ${t(first.responseStart)}, ends ${t(first.responseEnd)}` : '');
        }
        """);
    Console.WriteLine($"  repeat marks (ms): {marks}");
    // Let the neighbouring hours' prefetch settle, then step through T+1..T+6 as a user dragging the thumb would.
    await page.WaitForTimeoutAsync(1000);
    for (var h = 1; h <= 6; h++) slider.Add(await page.EvaluateAsync<double>(SliderStep, h));
    Console.WriteLine($"run {i + 1}: cold {coldMarked[^1]:0} ms (polled {cold[^1]:0}), repeat (service worker) {repeatMarked[^1]:0} ms (polled {repeat[^1]:0}), slider steps {string.Join(", ", slider.TakeLast(6).Select(x => x.ToString("0", CultureInfo.InvariantCulture)))} ms");
}

static string Stats(List<double> xs)
{
    var s = xs.Order().ToList();
    var median = s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
    return $"median {median:0} ms, max {s[^1]:0} ms (n={s.Count})";
}

Console.WriteLine($"cold load to first hexagons drawn:      {Stats(coldMarked)}; polled: {Stats(cold)}");
Console.WriteLine($"repeat load via service worker:        {Stats(repeatMarked)}; polled: {Stats(repeat)}");
Console.WriteLine($"slider change to new layer drawn:      {Stats(slider)}");
Console.WriteLine($"cold load transferred: app {coldBytes / 1024.0 / 1024.0:0.00} MiB in {coldRequests} responses, API {apiBytes / 1024.0 / 1024.0:0.00} MiB in {apiRequests} responses (headers + encoded bodies, until the app is up)");

if (sync > 0) await OutboxSync.RunAsync(browser, baseUrl, sync);
