using System.Net;
using Halo.Api.Features.Reports;
using Halo.App.Pages;
using Halo.App.Services;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Halo.App.Tests.Pages;

public sealed class ProfilePageTests : BunitContext
{
    private static readonly DateTime Sent = new(2025, 6, 10, 11, 0, 0, DateTimeKind.Utc);
    private readonly FakeBrowser _browser;
    private Func<Guid, HttpResponseMessage> _cluster = _ => FakeApi.Problem(HttpStatusCode.InternalServerError);
    private readonly FakeApi _api;

    public ProfilePageTests()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        _browser = new FakeBrowser(JSInterop.JSRuntime);
        _api = new FakeApi(r => r.RequestUri!.AbsolutePath.StartsWith("/api/v1/reports/cluster/", StringComparison.Ordinal)
            ? _cluster(Guid.Parse(r.RequestUri.Segments[^1]))
            : FakeApi.Problem(HttpStatusCode.NotFound));
        var strings = new Strings();
        var clock = new FakeTimeProvider(Sent.AddHours(2));
        var session = new AuthSession(_browser, clock);
        var settings = new AppSettings(_browser, strings);
        settings.LoadAsync().GetAwaiter().GetResult(); // English: the fake browser prefers en-GB
        Services.AddSingleton(strings);
        Services.AddSingleton<BrowserApi>(_browser);
        Services.AddSingleton<TimeProvider>(clock);
        Services.AddSingleton(session);
        Services.AddSingleton(settings);
        Services.AddSingleton(new MapOptions());
        var api = new HaloApiClient(new HttpClient(_api) { BaseAddress = new Uri("http://halo.test/") }, session);
        Services.AddSingleton(api);
        var live = new LiveUpdates(JSInterop.JSRuntime, session, api, settings);
        var alerts = new AlertCenter(JSInterop.JSRuntime, live);
        Services.AddSingleton(live);
        Services.AddSingleton(alerts);
        Services.AddSingleton(new Geofencing(JSInterop.JSRuntime, _browser, api, settings, alerts));
        Services.AddSingleton(new WebPush(JSInterop.JSRuntime, api, settings, strings));
        Services.AddSingleton<IOutboxStore>(new MemoryOutboxStore());
        Services.AddSingleton<Outbox>();
    }

    /// <summary>A report this device sent, as stored at submit time: unverified, one reporter.</summary>
    private async Task<SentReport> RememberAsync()
    {
        var report = new SentReport(Guid.NewGuid(), Guid.NewGuid(), "traffic", Sent, true, 1, "unverified", false);
        await Services.GetRequiredService<AppSettings>().RememberReportAsync(report);
        return report;
    }

    private static HttpResponseMessage Cluster(Guid id, string verification, bool verified, int reporters) =>
        FakeApi.Json(HttpStatusCode.OK, new ClusterDto(id, null, "traffic", verification, verified, reporters, reporters, 0.8,
            59.33, 18.06, 1_300, Sent, Sent, Sent, false, []));

    private static string Status(IRenderedComponent<ProfilePage> cut, SentReport r) =>
        cut.Find($"li[data-report='{r.ReportId}'] [data-testid=report-status]").TextContent;

    [Fact]
    public async Task OpeningTheProfileShowsEachReportsCurrentClusterState()
    {
        var report = await RememberAsync();
        _cluster = id => id == report.IncidentId ? Cluster(id, "corroborated", true, 3) : FakeApi.Problem(HttpStatusCode.NotFound);

        var cut = Render<ProfilePage>();

        cut.WaitForAssertion(() => Assert.Equal("Verification: Corroborated ✓ · Reporters: 3", Status(cut, report)));
        Assert.Contains(_api.Requests, r => r.Path == $"/api/v1/reports/cluster/{report.IncidentId}");
    }

    [Fact]
    public async Task AClusterThatIsGoneSaysSo()
    {
        var report = await RememberAsync();
        _cluster = _ => FakeApi.Problem(HttpStatusCode.NotFound);

        var cut = Render<ProfilePage>();

        cut.WaitForAssertion(() => Assert.Contains("no longer exists", Status(cut, report)));
    }

    [Fact]
    public async Task ANetworkErrorKeepsTheStatusFromSubmitTimeMarkedAsNotCurrent()
    {
        var report = await RememberAsync();
        _cluster = _ => throw new HttpRequestException("offline");

        var cut = Render<ProfilePage>();

        cut.WaitForAssertion(() => Assert.NotNull(cut.Find($"li[data-report='{report.ReportId}'] [data-testid=report-stale]")));
        Assert.Equal("Verification: Unverified · Reporters: 1", Status(cut, report));
    }

    [Fact]
    public async Task TheRefreshButtonFetchesTheStateAgain()
    {
        var report = await RememberAsync();
        _cluster = id => Cluster(id, "unverified", false, 1);
        var cut = Render<ProfilePage>();
        cut.WaitForAssertion(() => Assert.Equal("false", cut.Find(".my-reports").GetAttribute("aria-busy")));

        _cluster = id => Cluster(id, "cross_validated", true, 2);
        cut.Find("[data-testid=refresh-reports]").Click();

        cut.WaitForAssertion(() => Assert.Equal("Verification: Matches a police event ✓ · Reporters: 2", Status(cut, report)));
        Assert.Equal(2, _api.Requests.Count(r => r.Path.StartsWith("/api/v1/reports/cluster/", StringComparison.Ordinal)));
    }
}
