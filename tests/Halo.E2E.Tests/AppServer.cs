using System.Runtime.CompilerServices;
using Halo.Api.Features.Classification;
using Halo.Api.Features.Predictions.Serving;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Halo.E2E.Tests;

/// <summary>
/// One real Halo (API + app) on Kestrel at 127.0.0.1 over a temp SQLite file, with recent incidents and a small trained
/// classifier, and one headless Debian Chromium, shared by every end-to-end test. Tests open their own browser contexts.
/// </summary>
public sealed class AppServer : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "halo-e2e", Guid.NewGuid().ToString("N"));
    private HaloKestrelFactory? _factory;
    private IPlaywright? _playwright;
    private readonly SemaphoreSlim _mediaBrowserGate = new(1, 1);
    private IBrowser? _mediaBrowser;

    private static readonly string[] LaunchArgs =
        ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--use-angle=swiftshader", "--enable-unsafe-swiftshader"];

    public IBrowser Browser { get; private set; } = null!;
    public string BaseUrl { get; private set; } = "";
    public IServiceProvider Services => _factory!.Services;

    /// <summary>
    /// How long a page may take from navigation to .NET's first render. Start-up is CPU-bound (WebAssembly download and
    /// compile, SwiftShader drawing the map): a few seconds on a quiet 2-core machine, far more on a loaded one, which is
    /// why no test may leave it to a default 5 s assertion timeout.
    /// </summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    /// <summary>Where screenshots go: a folder in the test output, kept after the run.</summary>
    public static string ArtifactsDirectory { get; } = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "artifacts")).FullName;

    public async Task InitializeAsync()
    {
        // Web-first assertions retry for 5 s by default (the context's 30 s does not apply to them); a loaded 2-core
        // machine needs more for the map's and the app's reactions.
        Assertions.SetDefaultExpectTimeout(20_000);
        Directory.CreateDirectory(_dataDirectory);
        _factory = new HaloKestrelFactory(_dataDirectory);
        _factory.StartServer();
        BaseUrl = _factory.ServerAddress.TrimEnd('/') + "/";
        await TestData.SeedAsync(Services);
        await Services.GetRequiredService<ClassifierService>().RetrainAsync(CancellationToken.None);
        await TestData.SeedRiskHistoryAsync(Services);
        var risk = Services.GetRequiredService<RiskModelService>();
        var model = await risk.RetrainAsync(risk.NewVersion(), CancellationToken.None);
        if (model.Status != Halo.Api.Features.ModelRegistry.ModelStatus.Ready)
            throw new InvalidOperationException($"The risk model for the e2e app did not train ({model.Status}): {model.Error}");

        if (!File.Exists(ChromiumPath))
            throw new InvalidOperationException($"{ChromiumPath} is missing: install Debian's chromium (./test.sh does it).");
        _playwright = await Playwright.CreateAsync();
        // Playwright gives the browser a fresh temporary profile (its own --user-data-dir); contexts start empty.
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Timeout = 60_000,
            Args = LaunchArgs,
        });
    }

    /// <summary>
    /// A second Chromium with fake camera and microphone (a test pattern and a beeping tone), for the evidence capture
    /// tests; launched on first use, so the other tests do not pay for it. Without <c>--use-fake-ui-for-media-stream</c>:
    /// that flag says yes to every camera request, even one the site's setting blocks, so a denial could not be
    /// tested. The context's permissions (<c>camera</c>, <c>microphone</c>) answer instead.
    /// </summary>
    public async Task<IBrowser> MediaBrowserAsync()
    {
        await _mediaBrowserGate.WaitAsync();
        try
        {
            return _mediaBrowser ??= await _playwright!.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = ChromiumPath,
                Headless = true,
                Timeout = 60_000,
                Args = [.. LaunchArgs, "--use-fake-device-for-media-stream"],
            });
        }
        finally { _mediaBrowserGate.Release(); }
    }

    /// <summary>A fresh context (empty cache and storage) whose map tiles fail at once: tests never leave this machine.</summary>
    public async Task<IBrowserContext> NewContextAsync(BrowserNewContextOptions? options = null, IBrowser? browser = null)
    {
        options ??= new BrowserNewContextOptions();
        options.Locale ??= "sv-SE";
        options.TimezoneId ??= "Europe/Stockholm";
        options.ViewportSize ??= new ViewportSize { Width = 420, Height = 820 };
        options.ServiceWorkers ??= ServiceWorkerPolicy.Block;
        var context = await (browser ?? Browser).NewContextAsync(options);
        context.SetDefaultTimeout(30_000);
        await context.RouteAsync(url => !url.StartsWith(BaseUrl, StringComparison.Ordinal), route => route.AbortAsync("internetdisconnected"));
        return context;
    }

    /// <summary>
    /// Runs an end-to-end test on a page of a fresh context (see <see cref="NewContextAsync"/>). When it fails, the
    /// failure carries what the page showed, the browser's console, page errors and failed requests, and a screenshot
    /// is saved to <see cref="ArtifactsDirectory"/> as <c>{Class}.{test}.failure.png</c>.
    /// </summary>
    public async Task RunAsync(Func<IPage, Task> test, BrowserNewContextOptions? options = null, IBrowser? browser = null,
        [CallerFilePath] string file = "", [CallerMemberName] string name = "")
    {
        await using var context = await NewContextAsync(options, browser);
        var log = BrowserLog.Attach(context, BaseUrl);
        var page = await context.NewPageAsync();
        try
        {
            await test(page);
        }
        catch (Exception e)
        {
            var id = $"{Path.GetFileNameWithoutExtension(file)}.{name}";
            var shot = Path.Combine(ArtifactsDirectory, $"{id}.failure.png");
            try { await page.ScreenshotAsync(new PageScreenshotOptions { Path = shot, Timeout = 10_000 }); }
            catch (Exception se) when (se is PlaywrightException or TimeoutException) { shot = $"(none: {se.Message.Split('\n')[0]})"; }
            throw new BrowserTestFailure(
                $"{e.GetType().Name}: {e.Message}\n--- page: {await DescribeAsync(page)}\n--- screenshot: {shot}\n--- browser log:\n{log}", e);
        }
    }

    /// <summary>Opens one of the app's routes and waits until .NET has rendered it (the static shell is gone).</summary>
    public async Task OpenAsync(IPage page, string path = "")
    {
        await page.GotoAsync(BaseUrl + path);
        await WaitForStartAsync(page);
    }

    /// <summary>
    /// Waits for the app's own start signal, <c>&lt;html data-halo-start&gt;</c> (js/app.js): "started" once .NET's
    /// first render replaced the static shell, "failed" when .NET could not start (fails at once, not at the timeout).
    /// </summary>
    public static async Task WaitForStartAsync(IPage page)
    {
        const string settled = "() => ['started', 'failed'].includes(document.documentElement.dataset.haloStart)";
        await page.WaitForFunctionAsync(settled, null, new PageWaitForFunctionOptions { Timeout = (float)StartTimeout.TotalMilliseconds, PollingInterval = 100 });
        var state = await page.EvaluateAsync<string>("() => document.documentElement.dataset.haloStart");
        if (state != "started") throw new InvalidOperationException($"The app did not start: data-halo-start is '{state}'.");
    }

    /// <summary>
    /// Opens the map tab and waits until .NET's map page has taken the map over (<c>data-attached</c> on its element):
    /// from then on its controls drive the map and the map's events reach .NET.
    /// </summary>
    public async Task OpenMapAsync(IPage page)
    {
        await OpenAsync(page);
        await WaitForMapAttachedAsync(page);
    }

    public static Task WaitForMapAttachedAsync(IPage page) =>
        Assertions.Expect(page.GetByTestId("map")).ToHaveAttributeAsync("data-attached", "true",
            new LocatorAssertionsToHaveAttributeOptions { Timeout = (float)StartTimeout.TotalMilliseconds });

    private static async Task<string> DescribeAsync(IPage page)
    {
        try
        {
            return await page.EvaluateAsync<string>("""
                () => `${location.pathname}, data-halo-start=${document.documentElement.dataset.haloStart ?? '(unset)'}, ` +
                      `error banner ${getComputedStyle(document.getElementById('blazor-error-ui') ?? document.body).display === 'block' ? 'shown' : 'hidden'}, ` +
                      `text: "${(document.getElementById('app')?.innerText ?? '').replace(/\s+/g, ' ').slice(0, 240)}"` +
                      (window.haloMapState ? `, map: view ${haloMapState.viewKey}, hour ${haloMapState.hour}, shown ${haloMapState.shownHour}, ` +
                          `drawn ${haloMapState.drawnHour}, layer ${haloMapState.hotspotsLayer}, loaded ${window.haloMap?.loaded()}, slots ` +
                          haloMapState.slots.map(s => `${s.i}:${s.key ?? '-'}${s.loaded ? '' : '(loading)'}`).join(' ') : '')
                """);
        }
        catch (Exception e) when (e is PlaywrightException or TimeoutException) { return $"(not readable: {e.Message.Split('\n')[0]})"; }
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.CloseAsync();
        if (_mediaBrowser is not null) await _mediaBrowser.CloseAsync();
        _playwright?.Dispose();
        _factory?.Dispose();
        try { Directory.Delete(_dataDirectory, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private sealed class HaloKestrelFactory : WebApplicationFactory<Program>
    {
        private readonly string _dataDirectory;

        public HaloKestrelFactory(string dataDirectory)
        {
            _dataDirectory = dataDirectory;
            UseKestrel(0);
        }

        public string ServerAddress { get { using var client = CreateClient(); return client.BaseAddress!.ToString(); } }

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Testing");
            builder.UseSetting("Database:Provider", "Sqlite");
            builder.UseSetting("Database:DataDirectory", _dataDirectory);
            builder.UseSetting("Database:SeedSample", "false");
            builder.UseSetting("Database:MigrateOnStart", "true");
            builder.UseSetting("Ingestion:Polisen:Enabled", "false");
            builder.UseSetting("Classification:TrainOnStart", "false");
            builder.UseSetting("Classification:MinTrainingExamples", "10");
            builder.UseSetting("RateLimiting:Enabled", "false");
            // Shorter than the two weeks the report form offers: a report queued that far back is refused (400) for real.
            builder.UseSetting("Reports:MaxReportAgeDays", "10");
            // A small, fast risk model trained by the fixture (the product's defaults train on two years of data).
            builder.UseSetting("Predictions:TrainOnStart", "false");
            builder.UseSetting("Training:DailyRetrainEnabled", "false");
            builder.UseSetting("Predictions:TrainingOrigins", "30");
            builder.UseSetting("Predictions:ValidationDays", "7");
            builder.UseSetting("Predictions:MaxTrainingRows", "20000");
            builder.UseSetting("Predictions:TrainingWindowDays", "200");
            builder.UseSetting("Logging:LogLevel:Default", "Warning");
            builder.UseSetting("Logging:LogLevel:Microsoft.EntityFrameworkCore.Database.Command", "Critical");
        }
    }
}

[CollectionDefinition(Name)]
public sealed class AppCollection : ICollectionFixture<AppServer>
{
    public const string Name = "app";
}
