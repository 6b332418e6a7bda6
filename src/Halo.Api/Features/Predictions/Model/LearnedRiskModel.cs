using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;

namespace Halo.Api.Features.Predictions.Model;

/// <summary>
/// The learned model: gradient-boosted trees (ML.NET FastTree) with a Tweedie loss of index 1.3 (close to Poisson,
/// which suits small counts) predicting each unit's event count in the 24 hours after an origin from
/// <see cref="UnitFeatures"/>. Training examples are (unit, origin) pairs at daily origins over the
/// <see cref="TrainingOrigins"/> days before the fit origin; every example with events is kept and the zero ones are
/// sampled down to <see cref="MaxRows"/> in all, weighted by 1/rate so the expected totals are unbiased.
/// The day's count is split over hours by the hour-of-week profile.
/// </summary>
public sealed class LearnedRiskModel : IRiskModel
{
    public const string ModelName = "fasttree_tweedie";
    private const int Seed = 17;
    private readonly MLContext _ml = new(seed: Seed);
    private ITransformer? _model;
    private DataViewSchema? _schema;

    public int TrainingOrigins { get; init; } = 120;
    public int MaxRows { get; init; } = 150_000;
    public int Trees { get; init; } = 200;
    public string Name => ModelName;

    /// <summary>How many examples the last fit used (positives, sampled zeros).</summary>
    public (int Positive, int Zero) LastFitRows { get; private set; }

    public void Fit(HistoryView history, CancellationToken ct)
    {
        var d = history.Data;
        var units = d.UnitCount;
        var origins = Enumerable.Range(1, TrainingOrigins).Select(k => history.Origin.AddDays(-k))
            .Where(t => t.AddDays(-30) >= (history.EventCount > 0 ? new DateTime(history.Events[0].Ticks, DateTimeKind.Utc) : t)).ToList();
        if (origins.Count == 0) throw new InvalidOperationException("Not enough history to train the learned model (needs 31 days).");
        var total = (double)units * origins.Count;
        var rate = Math.Min(1.0, MaxRows / total);
        var rng = new Random(Seed);
        var rows = new List<Example>();
        int positives = 0, zeros = 0;
        foreach (var t in origins)
        {
            ct.ThrowIfCancellationRequested();
            var view = history.At(t);
            var x = UnitFeatures.Compute(view, HourProfile.Fit(view));
            long from = t.Ticks, to = t.AddDays(1).Ticks;
            for (var u = 0; u < units; u++)
            {
                var y = u < d.FineCells.Length ? history.CountFine(u, from, to) : history.CountArea(u - d.FineCells.Length, from, to);
                if (y == 0)
                {
                    if (rng.NextDouble() >= rate) continue;
                    zeros++;
                    rows.Add(new Example { Features = x.Row(u), Label = 0, Weight = (float)(1 / rate) });
                }
                else
                {
                    positives++;
                    rows.Add(new Example { Features = x.Row(u), Label = y, Weight = 1 });
                }
            }
        }
        if (positives < 10) throw new InvalidOperationException($"Only {positives} unit-days with events in the training origins; too few to learn from.");
        LastFitRows = (positives, zeros);
        var data = _ml.Data.LoadFromEnumerable(rows, SchemaFor());
        var trainer = _ml.Regression.Trainers.FastTreeTweedie(new FastTreeTweedieTrainer.Options
        {
            LabelColumnName = nameof(Example.Label),
            FeatureColumnName = nameof(Example.Features),
            ExampleWeightColumnName = nameof(Example.Weight),
            Index = 1.3,
            NumberOfTrees = Trees,
            NumberOfLeaves = 8,
            MinimumExampleCountPerLeaf = 50,
            LearningRate = 0.05,
            Shrinkage = 1,
        });
        _model = trainer.Fit(data);
        _schema = data.Schema;
        // Boosting from a handful of positives among many zeros leaves the totals biased; one scale factor fitted on
        // the (weighted) training examples makes the expected total match the observed one.
        var fitted = _model.Transform(data).GetColumn<float>("Score").ToArray();
        double predicted = 0, observed = 0;
        for (var i = 0; i < rows.Count; i++) { predicted += rows[i].Weight * Math.Max(0, fitted[i]); observed += rows[i].Weight * rows[i].Label; }
        Scale = predicted > 0 ? observed / predicted : 1;
    }

    /// <summary>The total-matching scale factor fitted with the trees.</summary>
    public double Scale { get; private set; } = 1;

    public UnitForecast Predict(HistoryView history, UnitFeatures features, HourProfile profile)
    {
        var model = _model ?? throw new InvalidOperationException("The learned model is not trained.");
        var rows = Enumerable.Range(0, features.Units).Select(u => new Example { Features = features.Row(u) });
        var scored = model.Transform(_ml.Data.LoadFromEnumerable(rows, SchemaFor()));
        var scores = scored.GetColumn<float>("Score").ToArray();
        // FastTreeTweedie scores are already on the count scale (the trainer applies exp to the tree sum).
        var daily = scores.Select(s => float.IsFinite(s) ? Math.Max(0, s * Scale) : 0).ToArray();
        return new UnitForecast(daily, profile.Shape(history.Origin));
    }

    public string Settings => JsonSerializer.Serialize(new
    {
        features = UnitFeatures.Names, trees = Trees, tweedie_index = 1.3, training_origins = TrainingOrigins, max_rows = MaxRows,
        scale = Scale, rows_positive = LastFitRows.Positive, rows_zero_sampled = LastFitRows.Zero,
    });

    public byte[]? Artifact
    {
        get
        {
            if (_model is null) return null;
            using var ms = new MemoryStream();
            _ml.Model.Save(_model, _schema, ms);
            return ms.ToArray();
        }
    }

    /// <summary>Restores a trained model from the registry's artifact.</summary>
    public static LearnedRiskModel Load(byte[] artifact, double scale)
    {
        var m = new LearnedRiskModel { Scale = scale };
        using var ms = new MemoryStream(artifact);
        m._model = m._ml.Model.Load(ms, out var schema);
        m._schema = schema;
        return m;
    }

    private static SchemaDefinition SchemaFor()
    {
        var s = SchemaDefinition.Create(typeof(Example));
        s[nameof(Example.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, UnitFeatures.Names.Length);
        return s;
    }

    private sealed class Example
    {
        public float[] Features { get; set; } = [];
        public float Label { get; set; }
        public float Weight { get; set; } = 1;
    }
}
