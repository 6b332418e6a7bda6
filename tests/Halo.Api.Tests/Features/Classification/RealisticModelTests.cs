using Halo.Api.Features.Classification;

namespace Halo.Api.Tests.Features.Classification;

/// <summary>Trains once on six months of real police events from shared/data (2023 H1), SDCA only to keep the suite fast.</summary>
public sealed class RealisticModelFixture
{
    public ClassifierModel Model { get; }
    public List<LabelledExample> NextMonth { get; }

    public RealisticModelFixture()
    {
        var path = Infrastructure.SharedData.PathOf("polisen", "events-2022-2024.json.gz");
        var (examples, _) = EvalClassifierCommand.LoadExamplesAsync(path, includeLocation: false, logger: null, CancellationToken.None).GetAwaiter().GetResult();
        var train = examples.Where(e => e.Day >= new DateOnly(2023, 1, 1) && e.Day <= new DateOnly(2023, 6, 30)).Select(e => e.Example).ToList();
        NextMonth = examples.Where(e => e.Day >= new DateOnly(2023, 7, 1) && e.Day <= new DateOnly(2023, 7, 31)).Select(e => e.Example).ToList();
        Model = ClassifierTrainer.Train(train, "test-realistic", ["sdca_maxent"]).Model;
    }
}

public sealed class RealisticModelTests(RealisticModelFixture fixture) : IClassFixture<RealisticModelFixture>
{
    private static readonly double Threshold = new ClassificationOptions().NeedsReviewThreshold;

    [Fact]
    public void GibberishGetsLowConfidence()
    {
        var rng = new Random(12345);
        const string letters = "abcdefghijklmnopqrstuvwxyzåäö ";
        var tops = Enumerable.Range(0, 300).Select(_ =>
        {
            var s = new string(Enumerable.Range(0, rng.Next(5, 120)).Select(_ => letters[rng.Next(letters.Length)]).ToArray());
            return fixture.Model.Predict(s).Max();
        }).ToList();
        var confident = tops.Count(t => t >= Threshold);
        Assert.True(confident <= 3, $"{confident} of 300 random strings got a top probability ≥ {Threshold} (max {tops.Max():F2}).");
        Assert.All(new[] { "asdf qwer zxcv", "lkjhg fdsa", "12345 67890", "?!?!" },
            s => Assert.True(fixture.Model.Predict(s).Max() < Threshold, s));
    }

    [Theory]
    [InlineData("En bil har kört av vägen och voltat", "traffic")]
    [InlineData("Det brinner i ett flerfamiljshus", "fire")]
    [InlineData("Min cykel blev stulen utanför skolan", "theft")]
    [InlineData("Någon har gjort inbrott i vår lägenhet", "burglary")]
    [InlineData("En man misshandlades utanför krogen", "violence")]
    public void ConfidentlyClassifiesPlainSwedishReports(string text, string expected)
    {
        var p = fixture.Model.Predict(text);
        var best = Array.IndexOf(p, p.Max());
        Assert.Equal(expected, fixture.Model.Labels[best]);
        Assert.True(p[best] >= Threshold, $"top probability {p[best]:F2}");
    }

    [Fact]
    public void IsCalibratedOnTheFollowingMonth()
    {
        var truth = fixture.NextMonth.Select(e => e.Category).ToList();
        var metrics = ClassifierMetrics.Compute(truth, fixture.NextMonth.Select(e => fixture.Model.Predict(e.Text)).ToList(), fixture.Model.Labels);
        Assert.True(metrics.ExpectedCalibrationError < 0.05, $"ECE {metrics.ExpectedCalibrationError:F3}");
        Assert.True(metrics.Accuracy > 0.75, $"accuracy {metrics.Accuracy:F3}");
    }
}
