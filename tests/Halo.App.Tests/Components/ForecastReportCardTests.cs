using System.Globalization;
using System.Net;
using Halo.Api.Features.Predictions;
using Halo.App.Components;
using Halo.App.Services;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Halo.App.Tests.Components;

public sealed class ForecastReportCardTests : BunitContext
{
    private static readonly ReportCardResponse Card = new(
        "risk-20261203-0200", "fasttree_tweedie", ServedIsNaive: false,
        TrainedAt: new DateTime(2026, 12, 3, 2, 4, 0, DateTimeKind.Utc), DataFrom: new DateTime(2024, 12, 3, 0, 0, 0, DateTimeKind.Utc),
        DataTo: new DateTime(2026, 12, 3, 0, 0, 0, DateTimeKind.Utc),
        ValidationFrom: new DateTime(2026, 11, 5, 0, 0, 0, DateTimeKind.Utc), ValidationTo: new DateTime(2026, 12, 3, 0, 0, 0, DateTimeKind.Utc),
        ValidationEvents: 4321, Served: new("fasttree_tweedie", 0.312, 6.24, -0.051), BestNaive: new("trailing_count_730d", 0.287, 5.74, -0.053),
        Windows: [
            new(new DateTime(2026, 11, 5, 0, 0, 0, DateTimeKind.Utc), 7, 1100, 0.30, 6.0, 0.28, 5.6),
            new(new DateTime(2026, 11, 12, 0, 0, 0, DateTimeKind.Utc), 7, 1050, 0.33, 6.6, 0.29, 5.8),
            new(new DateTime(2026, 11, 19, 0, 0, 0, DateTimeKind.Utc), 7, 1080, 0.31, 6.2, 0.30, 6.0),
            new(new DateTime(2026, 11, 26, 0, 0, 0, DateTimeKind.Utc), 7, 1091, 0.31, 6.2, 0.28, 5.6),
        ],
        WhyChosen: "fasttree_tweedie beat trailing_count_730d on 4 windows");

    private HttpStatusCode _status = HttpStatusCode.OK;
    private readonly FakeApi _api;
    private readonly Strings _strings = new();

    public ForecastReportCardTests()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        _api = new FakeApi(r => r.RequestUri!.AbsolutePath != "/api/v1/predictions/report-card" || _status != HttpStatusCode.OK
            ? FakeApi.Problem(r.RequestUri!.AbsolutePath == "/api/v1/predictions/report-card" ? _status : HttpStatusCode.NotFound)
            : FakeApi.Json(HttpStatusCode.OK, Card));
        var browser = new BrowserApi(JSInterop.JSRuntime);
        var session = new AuthSession(browser, new FakeTimeProvider(new DateTimeOffset(2026, 12, 3, 12, 0, 0, TimeSpan.Zero)));
        Services.AddSingleton(_strings);
        Services.AddSingleton(new HaloApiClient(new HttpClient(_api) { BaseAddress = new Uri("http://halo.test/") }, session));
    }

    [Fact]
    public void ShowsTheServedModelAgainstTheBestNaiveForecastInWordsAndAChartFromTheRegistryFigures()
    {
        _strings.SetLanguage("en");
        var cut = Render<ForecastReportCard>();
        cut.WaitForElement("[data-testid=card-served]");

        Assert.Contains(_api.Requests, r => r.Path == "/api/v1/predictions/report-card");
        var en = CultureInfo.GetCultureInfo("en-GB");
        var model = cut.Find("[data-testid=card-model]").TextContent;
        Assert.Contains("a learned model (decision trees)", model);
        Assert.Contains(Card.TrainedAt.ToLocalTime().ToString("g", en), model);
        Assert.Contains(Card.DataFrom.ToLocalTime().ToString("d", en), model);
        Assert.Contains("4,321 events in the last 28 days", cut.Find("[data-testid=card-test]").TextContent);
        var served = cut.Find("[data-testid=card-served]");
        Assert.Contains("got 31 % of the events: 6.2 times", served.TextContent);
        Assert.Equal("0.312", served.GetAttribute("data-hit-rate5"));
        var naive = cut.Find("[data-testid=card-naive]").TextContent;
        Assert.Contains("the count of events over the last 730 days, got 29 % (5.7 times)", naive);
        Assert.DoesNotContain("A simple forecast is served", cut.Markup);

        // One pair of bars per trial window, each as tall as its share of the tallest.
        var windows = cut.FindAll("[data-testid=card-window]");
        Assert.Equal(4, windows.Count);
        Assert.Equal("height:100%", windows[1].QuerySelector(".bar.served")!.GetAttribute("style"));
        Assert.Equal("height:84.8%", windows[3].QuerySelector(".bar.naive")!.GetAttribute("style"));
        Assert.Contains("1,091 events", windows[3].TextContent);
    }

    [Fact]
    public void SaysInSwedishThatASimpleForecastIsServedWhenNoLearnedModelBeatIt()
    {
        var naiveServed = Card with { ModelName = "trailing_count_all", ServedIsNaive = true, Served = new("trailing_count_all", 0.29, 5.8, -0.05) };
        var api = new FakeApi(_ => FakeApi.Json(HttpStatusCode.OK, naiveServed));
        Services.AddSingleton(new HaloApiClient(new HttpClient(api) { BaseAddress = new Uri("http://halo.test/") },
            new AuthSession(new BrowserApi(JSInterop.JSRuntime), TimeProvider.System)));
        var cut = Render<ForecastReportCard>();
        cut.WaitForElement("[data-testid=card-served]");

        Assert.Contains("antalet händelser i hela historiken", cut.Find("[data-testid=card-model]").TextContent);
        Assert.Contains("fick 29 % av händelserna: 5,8 gånger", cut.Find("[data-testid=card-served]").TextContent);
        Assert.Contains("En enkel prognos används", cut.Markup);
        Assert.Contains("Den bästa andra enkla prognosen, antalet händelser de senaste 730 dagarna, fick 29 %", cut.Find("[data-testid=card-naive]").TextContent);
    }

    [Theory]
    [InlineData(HttpStatusCode.NotFound, "card-none")]
    [InlineData(HttpStatusCode.ServiceUnavailable, "card-error")]
    public void SaysSoWhenThereIsNoModelYetOrTheCardCannotBeRead(HttpStatusCode status, string shown)
    {
        _status = status;
        var cut = Render<ForecastReportCard>();
        cut.WaitForElement($"[data-testid={shown}]");
        Assert.Empty(cut.FindAll("[data-testid=card-served]"));
    }

    [Fact]
    public void ClosesFromItsButton()
    {
        var closed = 0;
        var cut = Render<ForecastReportCard>(p => p.Add(x => x.OnClose, () => closed++));
        cut.Find("[data-testid=report-card-close]").Click();
        Assert.Equal(1, closed);
    }
}
