using System.Globalization;
using Halo.Api.Features.Classification;
using Halo.App.Components;
using Halo.App.Services;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Halo.App.Tests;

public sealed class CategoryPickerTests : BunitContext
{
    private static readonly CategoryProbability[] Suggestions =
        [new("traffic", 0.71), new("vehicle_crime", 0.12), new("violence", 0.08), new("other", 0.05)];

    public CategoryPickerTests()
    {
        var strings = new Strings();
        strings.SetLanguage("en");
        Services.AddSingleton(strings);
    }

    [Fact]
    public void ShowsTheTopThreeSuggestionsWithTheirConfidence()
    {
        var cut = Render<CategoryPicker>(p => p.Add(x => x.Suggestions, Suggestions).Add(x => x.Value, "traffic"));

        var labels = cut.FindAll("label.suggestion");
        Assert.Equal(["traffic", "vehicle_crime", "violence"], labels.Select(l => l.GetAttribute("data-category")));
        Assert.Contains("Traffic", labels[0].TextContent);
        Assert.Contains("71 %", labels[0].TextContent);
        Assert.Contains("selected", labels[0].ClassList);
        Assert.True(cut.Find("#cat-traffic").HasAttribute("checked"));
    }

    [Fact]
    public void ChoosingAnotherSuggestionReportsIt()
    {
        string? chosen = null;
        var cut = Render<CategoryPicker>(p => p.Add(x => x.Suggestions, Suggestions).Add(x => x.Value, "traffic")
            .Add(x => x.ValueChanged, (string? v) => chosen = v));

        cut.Find("#cat-vehicle_crime").Change(true);

        Assert.Equal("vehicle_crime", chosen);
        Assert.Contains("selected", cut.Find("label[data-category=vehicle_crime]").ClassList);
    }

    [Fact]
    public void AnyCategoryCanOverrideTheSuggestions()
    {
        string? chosen = null;
        var cut = Render<CategoryPicker>(p => p.Add(x => x.Suggestions, Suggestions).Add(x => x.Value, "traffic")
            .Add(x => x.ValueChanged, (string? v) => chosen = v));

        Assert.Equal(15 + 1, cut.FindAll("#category-other option").Count); // every category, and "Choose…"
        cut.Find("#category-other").Change("fire");

        Assert.Equal("fire", chosen);
        Assert.DoesNotContain(cut.FindAll("label.suggestion"), l => l.ClassList.Contains("selected"));
    }

    [Fact]
    public void SaysSoWhenTheClassifierIsUnavailable()
    {
        var cut = Render<CategoryPicker>(p => p.Add(x => x.Unavailable, true));

        Assert.Contains("not available", cut.Find("[data-testid=classifier-unavailable]").TextContent);
        Assert.Empty(cut.FindAll("label.suggestion"));
    }

    [Fact]
    public void ShowsTheValidationError()
    {
        var cut = Render<CategoryPicker>(p => p.Add(x => x.Error, "Choose a category."));

        Assert.Equal("Choose a category.", cut.Find(".field-error").TextContent);
        Assert.Equal("true", cut.Find("#category-other").GetAttribute("aria-invalid"));
    }
}

public sealed class HourSliderTests : BunitContext
{
    private static readonly TimeZoneInfo Stockholm = TimeZoneInfo.FindSystemTimeZoneById("Europe/Stockholm");
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2025, 6, 10, 12, 20, 0, TimeSpan.Zero)); // 14:20 in Stockholm
    private readonly Strings _strings = new();

    public HourSliderTests()
    {
        Services.AddSingleton(_strings);
        Services.AddSingleton<TimeProvider>(_clock);
    }

    [Fact]
    public void LabelsShowTheLocalClockTimeOfEachHour()
    {
        var cut = Render<HourSlider>(p => p.Add(x => x.Zone, Stockholm).Add(x => x.Value, 0));

        Assert.Equal("Nu (14:00)", cut.Instance.Label(0));
        Assert.Equal("T+6 · 20:00", cut.Instance.Label(6));
        Assert.StartsWith("T+12 · ", cut.Instance.Label(12)); // 02:00 the next day, with its weekday
        Assert.EndsWith("02:00", cut.Instance.Label(12));
        Assert.Contains("Nu (14:00)", cut.Find(".hour-value").TextContent);
    }

    [Fact]
    public void MovingTheSliderReportsTheHourAndUpdatesTheLabel()
    {
        var hour = -1;
        var cut = Render<HourSlider>(p => p.Add(x => x.Zone, Stockholm).Add(x => x.Value, 0).Add(x => x.ValueChanged, (int h) => hour = h));

        cut.Find("input[type=range]").Input("6");

        Assert.Equal(6, hour);
        Assert.Equal("T+6 · 20:00", cut.Find(".hour-value").TextContent);
        Assert.Equal("T+6, T+6 · 20:00", cut.Find("input[type=range]").GetAttribute("aria-valuetext"));
    }

    [Fact]
    public void ClockLabelsFollowTheDaylightSavingChange()
    {
        // 2025-10-26 01:30 UTC = 02:30 CET, after clocks went back at 03:00 CEST: T+1 is 03:00 local.
        var now = new DateTimeOffset(2025, 10, 26, 0, 30, 0, TimeSpan.Zero); // 02:30 CEST
        Assert.Equal("02:00", HourLabels.ClockTime(now, Stockholm, 0, CultureInfo.InvariantCulture));
        Assert.Equal("02:00", HourLabels.ClockTime(now, Stockholm, 1, CultureInfo.InvariantCulture)); // the repeated hour
        Assert.Equal("03:00", HourLabels.ClockTime(now, Stockholm, 2, CultureInfo.InvariantCulture));
    }

    [Fact]
    public void LabelsAreInEnglishWhenTheLanguageIsEnglish()
    {
        _strings.SetLanguage("en");
        var cut = Render<HourSlider>(p => p.Add(x => x.Zone, Stockholm).Add(x => x.Value, 0));

        Assert.Equal("Now (14:00)", cut.Instance.Label(0));
    }
}

public sealed class RiskLegendTests : BunitContext
{
    // The API's levels, in no particular order.
    private static readonly RiskLevel[] ApiLevels = [new("medium", 0.4, "#f97316"), new("low", 0, "#facc15"), new("high", 0.7, "#dc2626")];

    public RiskLegendTests() => Services.AddSingleton(new Strings());

    [Fact]
    public void ShowsTheApiLevelsHighestFirstInWordsWithTheirColoursAndASecondCue()
    {
        var computed = new DateTimeOffset(2026, 3, 2, 13, 5, 0, TimeSpan.Zero);
        var cut = Render<RiskLegend>(p => p.Add(x => x.Levels, ApiLevels).Add(x => x.ComputedAt, computed));

        var items = cut.FindAll("li[data-level]");
        Assert.Equal(["high", "medium", "low"], items.Select(i => i.GetAttribute("data-level")));
        Assert.Equal(["Hög", "Medel", "Låg"], items.Select(i => i.TextContent.Trim()));
        var styles = items.Select(i => i.QuerySelector(".swatch")!.GetAttribute("style")!).ToList();
        Assert.Equal(["background:#dc2626", "background:#f97316", "background:#facc15"], styles.Select(x => x.Split(';')[0]));
        // The outline grows with the level, as on the map: a cue that does not depend on telling the colours apart.
        Assert.Equal(["border:2.8px solid #111827", "border:1.6px solid #111827", "border:0.4px solid #ffffff"], styles.Select(x => x.Split(';')[1]));
        // Words, not thresholds or model ids.
        Assert.DoesNotContain("0,4", cut.Markup);
        Assert.DoesNotContain("Modell", cut.Markup);
        Assert.Contains("Prognos beräknad " + computed.ToLocalTime().ToString("g", System.Globalization.CultureInfo.GetCultureInfo("sv-SE")), cut.Markup);
    }

    [Fact]
    public void DropsLevelsWithoutAUsableColour()
    {
        var cut = Render<RiskLegend>(p => p.Add(x => x.Levels, [.. ApiLevels, new RiskLevel("weird", 0.9, "url(javascript:x)")]));

        Assert.Equal(3, cut.FindAll("li[data-level]").Count);
    }

    [Fact]
    public void SaysWhatAHexagonAndAnOutlinedAreaMeanAndOpensTheReportCard()
    {
        var about = 0;
        var cut = Render<RiskLegend>(p => p.Add(x => x.Levels, ApiLevels).Add(x => x.OnAbout, () => about++));
        Assert.Contains("Sexhörning: händelser med känd plats", cut.Markup);
        // The area entry only while the map draws an area.
        Assert.Empty(cut.FindAll("[data-testid=legend-area]"));
        cut.Render(p => p.Add(x => x.AreasDrawn, true));
        Assert.Contains("bara kommunen eller länet", cut.Find("[data-testid=legend-area]").TextContent);

        cut.Find("[data-testid=forecast-about]").Click();
        Assert.Equal(1, about);
        Assert.Equal("Om prognosen", cut.Find("[data-testid=forecast-about]").TextContent.Trim());
    }

    [Fact]
    public void SaysSoWhenPredictionsAreUnavailable()
    {
        var cut = Render<RiskLegend>(p => p.Add(x => x.Unavailable, true));

        Assert.Contains("inte tillgänglig", cut.Markup);
        Assert.Empty(cut.FindAll("li"));
    }

    [Theory]
    [InlineData(0.95, "high")]
    [InlineData(0.71, "high")]
    [InlineData(0.70, "medium")]
    [InlineData(0.41, "medium")]
    [InlineData(0.40, "low")]
    [InlineData(0.0, "low")]
    public void AScoreFallsInTheLevelOfItsThreshold(double score, string level) =>
        Assert.Equal(level, RiskLevels.For(score, ApiLevels)!.Level);
}

public sealed class DismissibleNoteTests : BunitContext
{
    public DismissibleNoteTests() => Services.AddSingleton(new Strings());

    [Fact]
    public void TheNoteClosesWithItsButtonAndSaysSo()
    {
        var dismissed = 0;
        var cut = Render<DismissibleNote>(p => p.Add(x => x.TestId, "basemap-outline")
            .Add(x => x.OnDismissed, () => dismissed++)
            .AddChildContent("Kartbilder kunde inte laddas"));

        Assert.Contains("Kartbilder kunde inte laddas", cut.Find("[data-testid=basemap-outline]").TextContent);
        var close = cut.Find("button");
        Assert.Equal("Stäng meddelandet", close.GetAttribute("aria-label"));

        close.Click();

        Assert.Empty(cut.FindAll("[data-testid=basemap-outline]"));
        Assert.Equal(1, dismissed);
        Assert.True(cut.Instance.Dismissed);
    }

    [Fact]
    public void TheNoteStaysClosedWhenItsPageRendersAgain()
    {
        var cut = Render<DismissibleNote>(p => p.AddChildContent("x"));
        cut.Find("button").Click();

        cut.Render(p => p.AddChildContent("y"));

        Assert.Empty(cut.FindAll(".map-note"));
    }
}

public sealed class ReportFormValidationTests
{
    private static readonly DateTime Now = new(2025, 6, 10, 14, 0, 0);

    [Fact]
    public void AnEmptyFormNamesEveryMissingField()
    {
        var errors = new ReportFormModel { OccurredAtLocal = Now }.Validate(Now);

        Assert.Equal(["category", "description", "location"], errors.Keys.Order());
    }

    [Fact]
    public void ACompleteFormIsValid()
    {
        var model = new ReportFormModel { Description = "Krock", Category = "traffic", Latitude = 59.3, Longitude = 18.0, OccurredAtLocal = Now.AddMinutes(-10) };

        Assert.Empty(model.Validate(Now));
    }

    [Fact]
    public void RejectsATimeInTheFutureAndASeverityOutOfRange()
    {
        var model = new ReportFormModel { Description = "Krock", Category = "traffic", Latitude = 59.3, Longitude = 18.0, OccurredAtLocal = Now.AddHours(1), Severity = 6 };

        var errors = model.Validate(Now);

        Assert.Equal("validation.time.future", errors["occurred_at"]);
        Assert.Equal("validation.severity", errors["severity"]);
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData(1, true)]
    [InlineData(5, true)]
    [InlineData(0, false)]
    [InlineData(6, false)]
    public void SeverityIsOptionalButOnlyOneToFive(int? severity, bool valid)
    {
        var model = new ReportFormModel { Description = "Krock", Category = "traffic", Latitude = 59.3, Longitude = 18.0, OccurredAtLocal = Now, Severity = severity };

        Assert.Equal(valid, !model.Validate(Now).ContainsKey("severity"));
    }

    [Fact]
    public void AWhitespaceDescriptionIsMissing()
    {
        var model = new ReportFormModel { Description = "   ", Category = "traffic", Latitude = 59.3, Longitude = 18.0, OccurredAtLocal = Now };

        Assert.Equal(["description"], model.Validate(Now).Keys);
    }
}

public sealed class StringsTests
{
    [Theory]
    [InlineData(new[] { "sv-SE", "en-US" }, "sv")]
    [InlineData(new[] { "en-US", "sv" }, "en")]
    [InlineData(new[] { "de-DE", "en-GB" }, "en")]
    [InlineData(new[] { "fi-FI" }, "sv")]
    [InlineData(new string[0], "sv")]
    public void TheLanguageFollowsTheBrowserPreferences(string[] preferred, string expected) =>
        Assert.Equal(expected, Strings.FromBrowser(preferred));

    [Fact]
    public void EveryCategoryHasASwedishAndAnEnglishName()
    {
        var s = new Strings();
        foreach (var c in Halo.Api.Features.Taxonomy.HaloTaxonomy.Categories)
        {
            s.SetLanguage("sv");
            Assert.Equal(c.NameSv, s.CategoryName(c.Code));
            s.SetLanguage("en");
            Assert.Equal(c.NameEn, s.CategoryName(c.Code));
        }
    }
}
