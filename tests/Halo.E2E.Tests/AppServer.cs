using Halo.Api.Data;
using Halo.Api.Features.Classification;
using Halo.Api.Features.Incidents;
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

    public IBrowser Browser { get; private set; } = null!;
    public string BaseUrl { get; private set; } = "";
    public IServiceProvider Services => _factory!.Services;

    /// <summary>Where screenshots go: a folder in the test output, kept after the run.</summary>
    public static string ArtifactsDirectory { get; } = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "artifacts")).FullName;

    public async Task InitializeAsync()
    {
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
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--use-angle=swiftshader", "--enable-unsafe-swiftshader"],
        });
    }

    /// <summary>A fresh context (empty cache and storage) whose map tiles fail at once: tests never leave this machine.</summary>
    public async Task<IBrowserContext> NewContextAsync(BrowserNewContextOptions? options = null)
    {
        options ??= new BrowserNewContextOptions();
        options.Locale ??= "sv-SE";
        options.TimezoneId ??= "Europe/Stockholm";
        options.ViewportSize ??= new ViewportSize { Width = 420, Height = 820 };
        options.ServiceWorkers ??= ServiceWorkerPolicy.Block;
        var context = await Browser.NewContextAsync(options);
        context.SetDefaultTimeout(30_000);
        await context.RouteAsync(url => !url.StartsWith(BaseUrl, StringComparison.Ordinal), route => route.AbortAsync("internetdisconnected"));
        return context;
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.CloseAsync();
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
