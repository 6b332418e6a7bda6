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
    private readonly FakeEvidenceRecorder _recorder;
    private readonly Guid _clipId = Guid.NewGuid();

    public ReportPageTests()
    {
        JSInterop.Mode = JSRuntimeMode.Loose; // the picker map and the file input talk to JS; not under test here
        _api = new FakeApi(r => r.RequestUri!.AbsolutePath switch
        {
            "/api/v1/reports/submit" => FakeApi.Json(HttpStatusCode.Created, new SubmitReportResponse(
                Guid.NewGuid(), Guid.NewGuid(), null, true, 1, 1, 0.3, false, "unverified", "r1")),
            "/api/v1/media" => FakeApi.Json(HttpStatusCode.Created, new { media_id = _clipId, kind = "video" }),
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
        _recorder = new FakeEvidenceRecorder(JSInterop.JSRuntime);
        Services.AddSingleton<EvidenceRecorder>(_recorder);
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

    [Fact]
    public void RecordedEvidenceIsSentAsTheReportsSensorsWithItsClip()
    {
        var cut = FillInEverythingButSeverity();
        cut.Find("[data-testid=evidence-record]").Click();
        _recorder.ElapsedMs = 10_000;
        cut.InvokeAsync(() => cut.FindComponent<Halo.App.Components.EvidenceCapture>().Instance.OnEvidenceTimeUp());
        cut.WaitForElement("[data-testid=evidence-summary]");

        cut.Find("form").Submit();

        cut.WaitForElement("[data-testid=report-outcome]");
        var upload = _api.Requests.Single(r => r.Path == "/api/v1/media");
        Assert.Contains("evidence.webm", upload.Body);
        var sent = SentReport();
        Assert.Equal([_clipId.ToString()], sent.GetProperty("media_ids").EnumerateArray().Select(e => e.GetString()));
        var sensors = sent.GetProperty("sensors");
        Assert.Equal(5, sensors.GetProperty("accelerometer").GetProperty("peak_g").GetDouble());
        Assert.True(sensors.GetProperty("accelerometer").GetProperty("impact_detected").GetBoolean());
        Assert.Equal(-6.0, sensors.GetProperty("audio").GetProperty("peak_dbfs").GetDouble());
        Assert.Equal(2, sensors.GetProperty("gps_track").GetArrayLength());
        Assert.Equal(10, sensors.GetProperty("gps_track")[0].GetProperty("accuracy_m").GetDouble());
    }

    [Fact]
    public void AReportWithoutEvidenceSendsNoSensors()
    {
        var cut = FillInEverythingButSeverity();

        cut.Find("form").Submit();

        cut.WaitForElement("[data-testid=report-outcome]");
        Assert.False(SentReport().TryGetProperty("sensors", out _));
        Assert.DoesNotContain(_api.Requests, r => r.Path == "/api/v1/media");
    }
}
