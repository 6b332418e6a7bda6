using Halo.Api.Features.Classification;

namespace Halo.Api.Tests.Features.Classification;

/// <summary>Trains once on <see cref="SmallCorpus"/>; the tests read the model only.</summary>
public sealed class SmallModelFixture
{
    public TrainedClassifier Trained { get; } = ClassifierTrainer.Train(SmallCorpus.Examples(), "test-small");
}

public sealed class ClassifierTrainerTests(SmallModelFixture fixture) : IClassFixture<SmallModelFixture>
{
    [Fact]
    public void ClassifiesHeldOutSentencesItHasNotSeen()
    {
        var model = fixture.Trained.Model;
        var wrong = SmallCorpus.HeldOut
            .Select(h => (h.Text, h.Category, Predicted: model.Labels[Array.IndexOf(model.Predict(h.Text), model.Predict(h.Text).Max())]))
            .Where(x => x.Predicted != x.Category).ToList();
        // 9 of 10 at least: sixty training sentences are little, but these held-out ones are unambiguous.
        Assert.True(wrong.Count <= 1, $"{fixture.Trained.WhyChosen}. Misclassified: " + string.Join("; ", wrong.Select(w => $"'{w.Text}' → {w.Predicted} (expected {w.Category})")));
    }

    [Fact]
    public void ProbabilitiesAreAProbabilityVectorOverTheLabels()
    {
        var model = fixture.Trained.Model;
        Assert.Equal(["drugs", "fire", "theft", "traffic", "violence"], model.Labels);
        foreach (var text in SmallCorpus.HeldOut.Select(h => h.Text).Append("x").Append("!!!").Append(new string('a', 2000)))
        {
            var p = model.Predict(text);
            Assert.Equal(model.Labels.Count, p.Length);
            Assert.All(p, v => Assert.InRange(v, 0f, 1f));
            Assert.InRange(p.Sum(), 0.999f, 1.001f);
        }
    }

    [Fact]
    public void SavedArtifactReloadsToTheSameAnswers()
    {
        var t = fixture.Trained;
        var reloaded = ClassifierModel.Load(t.Artifact, t.SettingsJson, "reloaded");
        foreach (var (text, _) in SmallCorpus.HeldOut)
            Assert.Equal(t.Model.Predict(text), reloaded.Predict(text), (a, b) => Math.Abs(a - b) < 1e-5);
    }

    [Fact]
    public void RecordsWhyTheLearnerWasChosen()
    {
        var t = fixture.Trained;
        Assert.Contains(t.ModelName, ClassifierTrainer.Learners);
        foreach (var learner in ClassifierTrainer.Learners) Assert.Contains(learner, t.WhyChosen);
        Assert.NotNull(t.Validation);
        Assert.Equal(SmallCorpus.Examples().Count, t.ExampleCount);
    }

    [Fact]
    public void RefusesToTrainOnASingleCategory()
    {
        var one = SmallCorpus.Examples().Where(e => e.Category == "fire").ToList();
        Assert.Throws<InvalidOperationException>(() => ClassifierTrainer.Train(one, "x"));
    }

    [Fact]
    public void TemperatureScalingKeepsTheRankingAndSumsToOne()
    {
        float[] p = [0.7f, 0.2f, 0.1f];
        var soft = Calibration.ApplyTemperature(p, 2.0);
        var sharp = Calibration.ApplyTemperature(p, 0.5);
        Assert.True(soft[0] < p[0] && sharp[0] > p[0]);
        Assert.True(soft[0] > soft[1] && soft[1] > soft[2]);
        Assert.InRange(soft.Sum(), 0.999f, 1.001f);
    }

    [Fact]
    public void FittedTemperatureSoftensAnOverconfidentModel()
    {
        // Always 0.9 on its top guess, right only 60 % of the time: NLL is lowest with T > 1.
        var probs = Enumerable.Range(0, 100).Select(_ => new[] { 0.9f, 0.05f, 0.05f }).ToList();
        var truth = Enumerable.Range(0, 100).Select(i => i % 10 < 6 ? 0 : 1).ToList();
        Assert.True(Calibration.FitTemperature(probs, truth) > 1.2);
    }
}

public sealed class CalibrationTests
{
    [Fact]
    public void FittedTemperatureStaysInsideTheSearchedRange()
    {
        // Near-uniform answers whose true class is always a little below average: NLL keeps falling as T grows.
        var probs = Enumerable.Range(0, 20).Select(_ => new[] { 0.21f, 0.2f, 0.2f, 0.2f, 0.19f }).ToList();
        var truth = Enumerable.Range(0, 20).Select(_ => 4).ToList();
        Assert.InRange(Calibration.FitTemperature(probs, truth), 3.9, 4.1);
    }
}
