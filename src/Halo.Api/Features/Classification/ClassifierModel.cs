using System.Collections.Frozen;
using System.Text.Json;
using Microsoft.Extensions.ObjectPool;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Halo.Api.Features.Classification;

/// <summary>
/// A loaded, immutable classifier ready to serve: the ML.NET transformer, its label order, the calibration temperature
/// and a pool of prediction engines (PredictionEngine is not thread-safe; creating one per call costs ~ms).
/// Swapped as a whole by <see cref="ClassifierService"/>, so a request always sees one consistent model.
/// </summary>
public sealed class ClassifierModel
{
    private readonly ObjectPool<PredictionEngine<TextInput, ScoreOutput>> _engines;
    private readonly FrozenSet<string> _known;

    public string Version { get; }
    public IReadOnlyList<string> Labels { get; }
    public ClassifierSettings Settings { get; }
    internal ITransformer Transformer { get; }

    internal ClassifierModel(MLContext ml, ITransformer transformer, ClassifierSettings settings, string version)
    {
        Transformer = transformer;
        Settings = settings;
        Labels = settings.Labels;
        Version = version;
        _known = settings.KnownCharGrams.ToFrozenSet(StringComparer.Ordinal);
        _engines = new DefaultObjectPool<PredictionEngine<TextInput, ScoreOutput>>(
            new EnginePolicy(ml, transformer), Math.Max(4, Environment.ProcessorCount * 4));
    }

    /// <summary>
    /// Calibrated probabilities, one per entry of <see cref="Labels"/>, summing to 1: temperature-scaled, then blended
    /// towards uniform when the text is unfamiliar (<see cref="CharGramCoverage"/>).
    /// </summary>
    public float[] Predict(string text) =>
        CharGramCoverage.Blend(Calibration.ApplyTemperature(PredictRaw(text), Settings.Temperature), CoverageWeight(text));

    /// <summary>The share of the text's character 4-grams seen in training, mapped to the weight of the model's answer.</summary>
    public double CoverageWeight(string text) => CharGramCoverage.Weight(CharGramCoverage.Coverage(text, _known));

    /// <summary>The learner's own probabilities, before calibration.</summary>
    internal float[] PredictRaw(string text)
    {
        var engine = _engines.Get();
        try
        {
            var output = new ScoreOutput();
            engine.Predict(new TextInput { Text = text }, ref output);
            return output.Score;
        }
        finally
        {
            _engines.Return(engine);
        }
    }

    /// <summary>Loads a model saved by <see cref="ClassifierTrainer"/> (the registry's artifact plus its settings JSON).</summary>
    public static ClassifierModel Load(byte[] artifact, string settingsJson, string version)
    {
        var settings = JsonSerializer.Deserialize<ClassifierSettings>(settingsJson)
            ?? throw new InvalidDataException("Classifier settings are empty.");
        var ml = new MLContext(seed: 1);
        using var stream = new MemoryStream(artifact, writable: false);
        var transformer = ml.Model.Load(stream, out _);
        return new ClassifierModel(ml, transformer, settings, version);
    }

    private sealed class EnginePolicy(MLContext ml, ITransformer transformer) : PooledObjectPolicy<PredictionEngine<TextInput, ScoreOutput>>
    {
        public override PredictionEngine<TextInput, ScoreOutput> Create() =>
            ml.Model.CreatePredictionEngine<TextInput, ScoreOutput>(transformer);

        public override bool Return(PredictionEngine<TextInput, ScoreOutput> obj) => true;
    }
}

/// <summary>What the registry stores beside the artifact (<c>settings_json</c>).</summary>
/// <param name="KnownCharGrams">Character 4-grams seen in the training texts (<see cref="CharGramCoverage"/>).</param>
public sealed record ClassifierSettings(IReadOnlyList<string> Labels, double Temperature, IReadOnlyList<string> KnownCharGrams);

public sealed class TextInput
{
    public string Text { get; set; } = "";
}

public sealed class ScoreOutput
{
    [ColumnName("Score")]
    public float[] Score { get; set; } = [];
}

public static class Calibration
{
    /// <summary>Temperature scaling of a probability vector: softmax(log p / T). T &gt; 1 softens, T &lt; 1 sharpens.</summary>
    public static float[] ApplyTemperature(float[] p, double temperature)
    {
        var r = new float[p.Length];
        if (p.Length == 0) return r;
        var logits = new double[p.Length];
        var max = double.NegativeInfinity;
        for (var i = 0; i < p.Length; i++)
        {
            logits[i] = Math.Log(Math.Max(p[i], 1e-12)) / temperature;
            if (logits[i] > max) max = logits[i];
        }
        double sum = 0;
        for (var i = 0; i < p.Length; i++) { logits[i] = Math.Exp(logits[i] - max); sum += logits[i]; }
        for (var i = 0; i < p.Length; i++) r[i] = (float)(logits[i] / sum);
        return r;
    }

    /// <summary>The temperature minimising negative log-likelihood on held-out examples (grid then refine; NLL is unimodal in T).</summary>
    public static double FitTemperature(IReadOnlyList<float[]> probabilities, IReadOnlyList<int> truthIndex)
    {
        if (probabilities.Count == 0) return 1.0;
        double Nll(double t)
        {
            double s = 0;
            for (var i = 0; i < probabilities.Count; i++)
            {
                var q = ApplyTemperature(probabilities[i], t);
                s -= Math.Log(Math.Max(truthIndex[i] >= 0 ? q[truthIndex[i]] : 0, 1e-12));
            }
            return s / probabilities.Count;
        }
        var best = 1.0; var bestNll = Nll(1.0);
        for (var t = 0.3; t <= 4.0001; t += 0.1)
        {
            var v = Nll(t);
            if (v < bestNll) { bestNll = v; best = t; }
        }
        var center = best; // fixed, or the refinement walks on while NLL keeps falling
        for (var t = center - 0.09; t <= center + 0.0901; t += 0.01)
        {
            if (t <= 0.05) continue;
            var v = Nll(t);
            if (v < bestNll) { bestNll = v; best = t; }
        }
        return Math.Round(best, 3);
    }
}
