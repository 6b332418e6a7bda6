using System.Globalization;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using Microsoft.ML.Transforms;
using Microsoft.ML.Transforms.Text;

namespace Halo.Api.Features.Classification;

/// <summary>A freshly trained classifier, with everything the registry stores about it.</summary>
public sealed record TrainedClassifier(
    ClassifierModel Model, byte[] Artifact, string SettingsJson, string ModelName, string WhyChosen,
    ClassifierMetrics? Validation, int ExampleCount);

/// <summary>
/// Trains the text classifier: word 1–2-grams plus character 1–4-grams (robust to Swedish compounds and misspellings),
/// a multiclass maximum-entropy learner, then temperature scaling fitted on a validation slice.
/// The validation slice is the most recent <see cref="ValidationFraction"/> of the examples by time (the model serves
/// the future), used to pick the learner and the temperature; the chosen learner is then refitted on all examples.
/// </summary>
public static class ClassifierTrainer
{
    public const double ValidationFraction = 0.15;
    public const int MinExamplesForValidation = 60;

    public static readonly IReadOnlyList<string> Learners = ["sdca_maxent", "lbfgs_maxent"];

    private sealed class TrainRow
    {
        public string Text { get; set; } = "";
        public string Label { get; set; } = "";
    }

    /// <param name="learners">Candidates to compare on the validation slice (default: all of <see cref="Learners"/>).</param>
    /// <param name="progress">Told as each step starts (the eval command prints it).</param>
    public static TrainedClassifier Train(IReadOnlyList<LabelledExample> examples, string version,
        IReadOnlyList<string>? learners = null, int seed = 1, Action<string>? progress = null, CancellationToken ct = default)
    {
        if (examples.Select(e => e.Category).Distinct().Count() < 2)
            throw new InvalidOperationException("Training needs examples of at least two categories.");
        learners ??= Learners;
        var ordered = examples.OrderBy(e => e.At).ToList();
        var nVal = ordered.Count >= MinExamplesForValidation ? (int)(ordered.Count * ValidationFraction) : 0;
        var fit = ordered.Take(ordered.Count - nVal).ToList();
        var val = ordered.Skip(ordered.Count - nVal).ToList();

        var chosen = learners[0];
        var temperature = 1.0;
        ClassifierMetrics? validation = null;
        var why = "single candidate; too few examples for a validation slice, temperature 1";
        if (nVal > 0)
        {
            var results = new List<(string Learner, ClassifierMetrics Metrics, double T)>();
            foreach (var learner in learners)
            {
                ct.ThrowIfCancellationRequested();
                progress?.Invoke($"fitting {learner} on {fit.Count:N0} examples, validating on the latest {nVal:N0}");
                var fitted = Fit(fit, learner, seed);
                var labels = fitted.Labels;
                var model = fitted.Uncalibrated();
                var probs = val.Select(e => model.PredictRaw(e.Text)).ToList();
                var truthIdx = val.Select(e => IndexOf(labels, e.Category)).ToList();
                var t = Calibration.FitTemperature(probs, truthIdx);
                // Score exactly what will be served: temperature, then the unfamiliar-text blend.
                var calibrated = probs.Select((p, i) => CharGramCoverage.Blend(Calibration.ApplyTemperature(p, t), model.CoverageWeight(val[i].Text))).ToList();
                results.Add((learner, ClassifierMetrics.Compute(val.Select(e => e.Category).ToList(), calibrated, labels), t));
            }
            // Macro-F1 first (every category matters, not just traffic), log-loss as the tie-break.
            var best = results.OrderByDescending(r => Math.Round(r.Metrics.MacroF1, 3)).ThenBy(r => r.Metrics.LogLoss).First();
            chosen = best.Learner; temperature = best.T; validation = best.Metrics;
            why = string.Join("; ", results.Select(r => string.Create(CultureInfo.InvariantCulture,
                $"{r.Learner}: macro-F1 {r.Metrics.MacroF1:F3}, accuracy {r.Metrics.Accuracy:F3}, log-loss {r.Metrics.LogLoss:F3}, T {r.T:F2}")))
                + $" (validation: latest {nVal} of {ordered.Count} examples; highest macro-F1 wins, log-loss breaks ties)";
        }
        ct.ThrowIfCancellationRequested();
        progress?.Invoke($"refitting {chosen} on all {ordered.Count:N0} examples");
        var final = Fit(ordered, chosen, seed);
        var settings = new ClassifierSettings(final.Labels, temperature, final.KnownGrams);
        var settingsJson = JsonSerializer.Serialize(settings);
        var artifact = Save(final);
        var serving = new ClassifierModel(final.Ml, final.Transformer, settings, version);
        return new TrainedClassifier(serving, artifact, settingsJson, chosen, why, validation, ordered.Count);
    }

    private sealed record Fitted(MLContext Ml, ITransformer Transformer, DataViewSchema InputSchema, IReadOnlyList<string> Labels, IReadOnlyList<string> KnownGrams)
    {
        /// <summary>Uncalibrated (temperature 1) view, for validation.</summary>
        public ClassifierModel Uncalibrated() => new(Ml, Transformer, new ClassifierSettings(Labels, 1.0, KnownGrams), "validation");
    }

    private static Fitted Fit(IReadOnlyList<LabelledExample> examples, string learner, int seed)
    {
        var ml = new MLContext(seed);
        var data = ml.Data.LoadFromEnumerable(examples.Select(e => new TrainRow { Text = e.Text, Label = e.Category }));
        // Keys are assigned by value so the label order is stable across retrains.
        var keyMap = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue).Fit(data);
        var keyed = keyMap.Transform(data);
        VBuffer<ReadOnlyMemory<char>> keyValues = default;
        keyed.Schema["Label"].GetKeyValues(ref keyValues);
        var labels = keyValues.DenseValues().Select(v => v.ToString()).ToList();

        var featurize = ml.Transforms.Text.FeaturizeText("Features", new TextFeaturizingEstimator.Options
        {
            WordFeatureExtractor = new WordBagEstimator.Options { NgramLength = 2, UseAllLengths = true },
            CharFeatureExtractor = new WordBagEstimator.Options { NgramLength = 4, UseAllLengths = false },
            Norm = TextFeaturizingEstimator.NormFunction.L2,
        }, "Text");
        IEstimator<ITransformer> trainer = learner switch
        {
            "sdca_maxent" => ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(new SdcaMaximumEntropyMulticlassTrainer.Options
            {
                LabelColumnName = "Label", FeatureColumnName = "Features", MaximumNumberOfIterations = 30,
            }),
            "lbfgs_maxent" => ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy(new LbfgsMaximumEntropyMulticlassTrainer.Options
            {
                LabelColumnName = "Label", FeatureColumnName = "Features", L2Regularization = 1f, MaximumNumberOfIterations = 200,
            }),
            _ => throw new ArgumentException($"Unknown learner '{learner}'.", nameof(learner)),
        };
        var transformer = featurize.Append(trainer).Fit(keyed);
        var inputSchema = ml.Data.LoadFromEnumerable(Array.Empty<TextInput>()).Schema;
        // A gram seen once in a large corpus is as likely a typo as vocabulary; small corpora keep everything.
        var known = CharGramCoverage.KnownGrams(examples.Select(e => e.Text), examples.Count >= 1000 ? 2 : 1);
        return new Fitted(ml, transformer, inputSchema, labels, known);
    }

    private static byte[] Save(Fitted f)
    {
        using var ms = new MemoryStream();
        f.Ml.Model.Save(f.Transformer, f.InputSchema, ms);
        return ms.ToArray();
    }

    private static int IndexOf(IReadOnlyList<string> labels, string y)
    {
        for (var j = 0; j < labels.Count; j++) if (labels[j] == y) return j;
        return -1;
    }
}
