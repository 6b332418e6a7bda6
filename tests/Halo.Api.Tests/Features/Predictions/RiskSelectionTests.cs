using Halo.Api.Features.Predictions.Model;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;

namespace Halo.Api.Tests.Features.Predictions;

/// <summary>How training picks a model, sizes its validation window and stores the learned model.</summary>
public sealed class RiskSelectionTests
{
    private static readonly DateTime Start = new(2023, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    private static ModelScore Score(string name, double logLik, double pai5) =>
        new(name, new Dictionary<string, double> { ["5"] = pai5 * 0.05 }, new Dictionary<string, double> { ["5"] = pai5 },
            new Dictionary<string, double> { ["5"] = 0 }, logLik, [], 0, 0);

    private static List<ModelScore> Scores(double learnedLogLik, double learnedPai) =>
    [
        Score(TrailingCountModel.ModelName, -1.40e-3, 6.3),
        Score(KdeModel.ModelName, -1.37e-3, 5.5),
        Score(HourOfWeekKdeModel.ModelName, -1.36e-3, 5.5),
        Score(LearnedRiskModel.ModelName, learnedLogLik, learnedPai),
    ];

    [Fact]
    public void TheLearnedModelIsChosenWhenItIsBetterOnLogLikelihoodAndNotWorseOnPai()
    {
        var (chosen, why) = RiskTrainer.Choose(Scores(-1.35e-3, 6.3), "the test window");
        Assert.Equal(LearnedRiskModel.ModelName, chosen);
        Assert.Contains("beat the best naive forecast", why);
    }

    [Fact]
    public void ABetterLogLikelihoodAloneDoesNotChooseTheLearnedModelWhenABaselineRanksBetter()
    {
        // The learned model wins on likelihood but the trailing count puts more events in the top 5 %.
        var (chosen, why) = RiskTrainer.Choose(Scores(-1.35e-3, 6.2), "the test window");
        Assert.Equal(HourOfWeekKdeModel.ModelName, chosen);
        Assert.Contains("PAI@5 is below trailing_count_365d", why);
        Assert.DoesNotContain("log-likelihood is not better", why);
    }

    [Fact]
    public void ABetterPaiAloneDoesNotChooseTheLearnedModelWhenItsLikelihoodIsWorse()
    {
        var (chosen, why) = RiskTrainer.Choose(Scores(-1.365e-3, 7.0), "the test window");
        Assert.Equal(HourOfWeekKdeModel.ModelName, chosen);
        Assert.Contains("log-likelihood is not better than hour_of_week_x_kde", why);
    }

    [Fact]
    public void WithoutALearnedModelTheBaselineWithTheBestLikelihoodIsChosen()
    {
        var (chosen, why) = RiskTrainer.Choose(Scores(0, 0).Take(3).ToList(), "the test window", ["fasttree_tweedie could not be trained (too few)"]);
        Assert.Equal(HourOfWeekKdeModel.ModelName, chosen);
        Assert.Contains("could not be trained", why);
    }

    private static HistoryView EventsPerDay(double perDay, int days)
    {
        var cell = H3.H3.LatLngToCell(59.33, 18.06, 8).Value;
        var n = (int)(perDay * days);
        var events = Enumerable.Range(0, n).Select(i => new RiskEvent(Start.AddDays(i / perDay).Ticks, cell, -1, 0)).ToList();
        var end = Start.AddDays(days);
        return new RiskDataset(events, 8, null, end, TimeZoneInfo.Utc, ["theft"]).At(end);
    }

    [Theory]
    [InlineData(100, 400, 28)] // 1,000 events come in 10 days: the minimum of 28 days holds
    [InlineData(20, 400, 50)] // 1,000 events need 50 days
    [InlineData(2, 400, 120)] // 500 days would be needed: capped at 120
    [InlineData(2, 150, 75)] // and never more than half of the history, so the candidates still have data to fit on
    [InlineData(2, 40, 28)] // the minimum wins over the half-history cap
    public void TheValidationWindowGrowsUntilItHoldsEnoughEvents(double perDay, int historyDays, int expectedDays)
    {
        Assert.Equal(expectedDays, RiskTrainer.ValidationDays(EventsPerDay(perDay, historyDays), minDays: 28, minEvents: 1000, maxDays: 120));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ALearnedModelForecastsTheSameAfterTheRegistryRoundTrip(bool baseOffset)
    {
        var rng = new Random(11);
        var cells = H3.H3.GridDisk(H3.H3.LatLngToCell(59.33, 18.06, 8), 2).Select(c => c.Value).ToArray();
        var events = Enumerable.Range(0, 3000)
            .Select(_ => new RiskEvent(Start.AddDays(rng.NextDouble() * 200).Ticks, cells[(int)(cells.Length * Math.Pow(rng.NextDouble(), 2))], -1, 0))
            .OrderBy(e => e.Ticks).ToList();
        var origin = Start.AddDays(180);
        var data = new RiskDataset(events, 8, null, origin, TimeZoneInfo.Utc, ["theft"]);
        var view = data.At(origin);
        var model = new LearnedRiskModel { TrainingOrigins = 60, BaseOffset = baseOffset };
        model.Fit(view, CancellationToken.None);
        var loaded = LearnedRiskModel.Load(model.Artifact!, model.Scale);
        var profile = HourProfile.Fit(view);
        var x = UnitFeatures.Compute(view, profile);
        var a = model.Predict(view, x, profile).Daily;
        var b = loaded.Predict(view, x, profile).Daily;
        Assert.Equal(a, b);
        Assert.Contains(a, v => v > 0);
    }

    private sealed class OldRow
    {
        [VectorType(23)] public float[] Features { get; set; } = [];
        public float Label { get; set; }
    }

    [Fact]
    public void AModelStoredByTheFirstVersionStillForecastsFromItsOwnColumns()
    {
        // The first version stored a bare ML.NET zip over the first 23 feature columns and fitted counts directly.
        var rng = new Random(5);
        var ml = new MLContext(seed: 1);
        var rows = Enumerable.Range(0, 2000).Select(_ =>
        {
            var f = Enumerable.Range(0, 23).Select(_ => (float)rng.NextDouble()).ToArray();
            return new OldRow { Features = f, Label = rng.NextDouble() < f[6] * 0.5 ? 1 : 0 };
        }).ToList();
        var data = ml.Data.LoadFromEnumerable(rows);
        var old = ml.Regression.Trainers.FastTreeTweedie(new FastTreeTweedieTrainer.Options { NumberOfTrees = 20, NumberOfLeaves = 4 }).Fit(data);
        using var zip = new MemoryStream();
        ml.Model.Save(old, data.Schema, zip);

        var loaded = LearnedRiskModel.Load(zip.ToArray(), scale: 2);
        var events = Enumerable.Range(0, 400).Select(i => new RiskEvent(Start.AddDays(i * 0.25).Ticks, H3.H3.LatLngToCell(59.33, 18.06, 8).Value, -1, 0)).ToList();
        var origin = Start.AddDays(100);
        var view = new RiskDataset(events, 8, null, origin, TimeZoneInfo.Utc, ["theft"]).At(origin);
        var profile = HourProfile.Fit(view);
        var x = UnitFeatures.Compute(view, profile);
        var daily = loaded.Predict(view, x, profile).Daily;

        var expected = old.Transform(ml.Data.LoadFromEnumerable(Enumerable.Range(0, x.Units).Select(u => new OldRow { Features = x.Row(u)[..23] })))
            .GetColumn<float>("Score").Select(v => Math.Max(0, v * 2.0)).ToArray();
        Assert.Equal(expected, daily);
    }

    /// <summary>Daily scores of a naive forecast and a challenger whose per-day log-likelihood lead is <paramref name="lead"/> ± <paramref name="noise"/>.</summary>
    private static DailyScores Days(double lead, double noise, double paiLead, int days = 200, int seed = 4)
    {
        var rng = new Random(seed);
        var d = new DailyScores();
        d.Reset(2, days);
        for (var i = 0; i < days; i++)
        {
            d.Events[i] = 20;
            d.LogLik[0][i] = -100 + rng.NextDouble();
            d.LogLik[1][i] = d.LogLik[0][i] + lead + noise * (rng.NextDouble() * 2 - 1);
            d.Hits5[0][i] = 5 + rng.Next(3);
            d.Hits5[1][i] = Math.Max(0, d.Hits5[0][i] + paiLead + (rng.NextDouble() < 0.5 ? -1 : 1));
        }
        return d;
    }

    private static List<ModelScore> Two(DailyScores d, int cells) =>
    [
        Score(TrailingCountModel.Name730, d.LogLik[0].Sum() / (d.Events.Length * 24.0 * cells), d.Hits5[0].Sum() / d.Events.Sum() / 0.05),
        Score(LearnedRiskModel.ModelName, d.LogLik[1].Sum() / (d.Events.Length * 24.0 * cells), d.Hits5[1].Sum() / d.Events.Sum() / 0.05),
    ];

    [Fact]
    public void AChallengerWhoseLikelihoodLeadIsWithinTheNoiseOfTheDaysIsNotChosen()
    {
        var d = Days(lead: 0.01, noise: 2, paiLead: 0);
        var (chosen, why) = RiskTrainer.Choose(Two(d, 100), "the test window", daily: d, cellsPerDay: 100);
        Assert.Equal(TrailingCountModel.Name730, chosen);
        Assert.Contains("by a margin the days support", why);
        Assert.Contains("paired bootstrap over 200 days", why);
    }

    [Fact]
    public void AChallengerWithAClearLikelihoodLeadAndNoRankingLossIsChosen()
    {
        var d = Days(lead: 1, noise: 0.5, paiLead: 0);
        var (chosen, why) = RiskTrainer.Choose(Two(d, 100), "the test window", daily: d, cellsPerDay: 100);
        Assert.Equal(LearnedRiskModel.ModelName, chosen);
        Assert.Contains("beat the best naive forecast", why);
    }

    [Fact]
    public void AChallengerThatRanksClearlyWorseIsNotChosenHoweverGoodItsLikelihood()
    {
        var d = Days(lead: 1, noise: 0.5, paiLead: -3);
        var (chosen, why) = RiskTrainer.Choose(Two(d, 100), "the test window", daily: d, cellsPerDay: 100);
        Assert.Equal(TrailingCountModel.Name730, chosen);
        Assert.Contains("PAI@5 is below", why);
    }
}
