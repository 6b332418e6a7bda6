using System.Net;
using System.Text.Json;
using Halo.Api.Features.Reports;
using Halo.App.Pages;
using Halo.App.Services;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Halo.App.Tests.Pages;

public sealed class ReportPageTests : BunitContext
{
    private readonly FakeApi _api;

    public ReportPageTests()
    {
        JSInterop.Mode = JSRuntimeMode.Loose; // the picker map and the file input talk to JS; not under test here
        _api = new FakeApi(r => r.RequestUri!.AbsolutePath switch
        {
            "/api/v1/reports/submit" => FakeApi.Json(HttpStatusCode.Created, new SubmitReportResponse(
                Guid.NewGuid(), Guid.NewGuid(), null, true, 1, 1, 0.3, false, "unverified", "r1")),
            _ => FakeApi.Problem(HttpStatusCode.ServiceUnavailable), // no classifier: the category is chosen by hand
        });
        var browser = new FakeBrowser(JSInterop.JSRuntime);
        var strings = new Strings();
        var clock = new FakeTimeProvider(new DateTimeOffset(2025, 6, 10, 12, 0, 0, TimeSpan.Zero));
        var session = new AuthSession(browser, clock);
        var settings = new AppSettings(browser, strings);
        settings.LoadAsync().GetAwaiter().GetResult(); // language from the browser (en), and the device id
        Services.AddSingleton(strings);
        Services.AddSingleton<BrowserApi>(browser);
        Services.AddSingleton<TimeProvider>(clock);
        Services.AddSingleton(session);
        Services.AddSingleton(settings);
        Services.AddSingleton(new MapOptions());
        Services.AddSingleton(new HaloApiClient(new HttpClient(_api) { BaseAddress = new Uri("http://halo.test/") }, session));
        Services.AddSingleton<IOutboxStore>(new MemoryOutboxStore());
        Services.AddSingleton<Outbox>();
    }

    private IRenderedComponent<ReportPage> FillInEverythingButSeverity()
    {
        var cut = Render<ReportPage>(p => p.Add(x => x.ClassifyDebounceMs, 0));
        cut.Find("#report-description").Input("Två bilar krockade i korsningen");
        cut.Find("#category-other").Change("traffic");
        cut.InvokeAsync(() => cut.Instance.OnPinMoved(59.33, 18.06));
        return cut;
    }

    private JsonElement SentReport()
    {
        var sent = _api.Requests.Single(r => r.Path == "/api/v1/reports/submit");
        return JsonDocument.Parse(sent.Body!).RootElement;
    }

    [Fact]
    public void TheChosenSeverityIsSentWithTheReport()
    {
        var cut = FillInEverythingButSeverity();

        cut.Find("#report-severity-4").Change(true);
        cut.Find("form").Submit();

        cut.WaitForElement("[data-testid=report-outcome]");
        Assert.Equal(4, SentReport().GetProperty("severity").GetInt32());
    }

    [Fact]
    public void SeverityIsOptionalAndLeftOutWhenNotStated()
    {
        var cut = FillInEverythingButSeverity();
        Assert.True(cut.Find("#report-severity-none").HasAttribute("checked"));

        cut.Find("form").Submit();

        cut.WaitForElement("[data-testid=report-outcome]");
        Assert.False(SentReport().TryGetProperty("severity", out _));
    }

    [Fact]
    public void SeverityIsAGroupOfLabelledChoicesFromOneToFive()
    {
        var cut = Render<ReportPage>();

        var group = cut.Find("fieldset.severity");
        Assert.Equal("Severity", group.QuerySelector("legend")!.TextContent);
        var options = group.QuerySelectorAll("input[type=radio]");
        Assert.Equal(["", "1", "2", "3", "4", "5"], options.Select(o => o.GetAttribute("value")));
        // Every choice has its own label, in words, not just a number.
        Assert.All(options, o => Assert.NotNull(cut.Find($"label[for={o.Id}]")));
        Assert.Contains("Acute danger", cut.Find("label[for=report-severity-5]").TextContent);
    }

    [Fact]
    public void ChangingTheSeverityDoesNotSendAnIncompleteForm()
    {
        var cut = Render<ReportPage>();

        cut.Find("#report-severity-2").Change(true);
        cut.Find("form").Submit();

        Assert.DoesNotContain(_api.Requests, r => r.Path == "/api/v1/reports/submit");
        Assert.NotNull(cut.Find("[data-field=description]"));
    }
}
