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
/// <para>
/// Stacking by offset (<see cref="BaseOffset"/>, the default): the trees do not predict the count from scratch but a
/// multiplicative correction of the hour-of-week × KDE baseline b (its daily forecast, read from the same feature row:
/// <c>kde_rate × window_profile</c>, plus a small floor ε so cells without recent events are not pinned at zero):
/// λ = b · m(x). For the Tweedie deviance with power p, fitting μ = b·m to y is exactly fitting m to y/b with example
/// weight b^(2−p), so ML.NET's trainer is used unchanged. Boosting starts at m = 1, i.e. at the baseline, and every
/// tree can only move away from it where the training examples support it; the baseline's own inputs (trailing
/// counts, KDE rate, hour-of-week weight) stay features, so the trees can also lean toward the trailing count.
/// </para>
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
    public int Trees { get; init; } = 100;
    public int Leaves { get; init; } = 4;
    public int MinExamplesPerLeaf { get; init; } = 50;
    public double LearningRate { get; init; } = 0.05;

    /// <summary>Fit a correction of the hour-of-week × KDE baseline (true) or the count from scratch (false, the first version).</summary>
    public bool BaseOffset { get; init; } = true;

    public string Name => ModelName;

    private const double TweedieIndex = 1.3;
    private static readonly int KdeColumn = Array.IndexOf(UnitFeatures.Names, "kde_rate");
    private static readonly int ProfileColumn = Array.IndexOf(UnitFeatures.Names, "window_profile");

    /// <summary>The floor ε added to the baseline (events per unit-day), fitted with the trees; 0 without an offset.</summary>
    public double BaseFloor { get; private set; }

    private bool _offset;

    /// <summary>The baseline daily count b of one unit from its feature row (0 when the model has no offset).</summary>
    private double Base(float[] row) => Base(row[KdeColumn], row[ProfileColumn]);

    private double Base(float kdeRate, float windowProfile) => _offset ? Math.Max(0, kdeRate) * windowProfile + BaseFloor : 1;

    /// <summary>How many examples the last fit used (positives, sampled zeros).</summary>
    public (int Positive, int Zero) LastFitRows { get; private set; }

    public void Fit(HistoryView history, CancellationToken ct)
    {
        var d = history.Data;
        var units = d.UnitCount;
        var origins = TrainingDays(history, TrainingOrigins);
        if (origins.Count == 0)
            throw new InvalidOperationException($"Not enough history to train the learned model (needs a day with events at least {MinHistoryDays} days after the first event).");
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
        _offset = BaseOffset;
        if (_offset)
        {
            // ε = 10 % of the mean unit-day count of the training examples: small next to any cell with recent events,
            // large enough that a cell without any (b = 0) does not get an unbounded label y/b.
            double wy = 0, w = 0;
            foreach (var r in rows) { wy += r.Weight * r.Label; w += r.Weight; }
            BaseFloor = 0.1 * wy / w;
        }
        var counts = rows.Select(r => r.Label).ToArray();
        var weights = rows.Select(r => r.Weight).ToArray();
        if (_offset)
            foreach (var r in rows)
            {
                var b = Base(r.Features);
                r.Label = (float)(r.Label / b);
                r.Weight = (float)(r.Weight * Math.Pow(b, 2 - TweedieIndex));
            }
        _featureCount = UnitFeatures.Names.Length;
        var data = _ml.Data.LoadFromEnumerable(rows, SchemaFor(_featureCount));
        var trainer = _ml.Regression.Trainers.FastTreeTweedie(new FastTreeTweedieTrainer.Options
        {
            LabelColumnName = nameof(Example.Label),
            FeatureColumnName = nameof(Example.Features),
            ExampleWeightColumnName = nameof(Example.Weight),
            Index = TweedieIndex,
            NumberOfTrees = Trees,
            NumberOfLeaves = Leaves,
            MinimumExampleCountPerLeaf = MinExamplesPerLeaf,
            LearningRate = LearningRate,
            Shrinkage = 1,
        });
        _model = trainer.Fit(data);
        _schema = data.Schema;
        Flatten();
        // Boosting from a handful of positives among many zeros leaves the totals biased; one scale factor fitted on
        // the (weighted) training examples makes the expected total match the observed one.
        var fitted = _model.Transform(data).GetColumn<float>("Score").ToArray();
        double predicted = 0, observed = 0;
        for (var i = 0; i < rows.Count; i++) { predicted += weights[i] * Math.Max(0, fitted[i]) * Base(rows[i].Features); observed += weights[i] * counts[i]; }
        Scale = predicted > 0 ? observed / predicted : 1;
    }

    /// <summary>Days of history an origin needs before it becomes a training example.</summary>
    public const int MinHistoryDays = 7;

    /// <summary>
    /// The <paramref name="count"/> most recent daily origins before the fit origin on which the data was live (at least
    /// one event anywhere in the next 24 hours, all before the fit origin) with <see cref="MinHistoryDays"/> of history
    /// behind them. A data set with gaps — a bundled sample from an earlier year and a few days of live events, which is
    /// what a new install has after its first poll — would otherwise put every origin in the gap: "0 unit-days with
    /// events". Days without any event in the whole data set mean the feed was down, not that nothing happened.
    /// </summary>
    internal static List<DateTime> TrainingDays(HistoryView history, int count)
    {
        var days = new List<DateTime>();
        var earliest = history.FirstTicks + MinHistoryDays * TimeSpan.TicksPerDay;
        for (var t = history.Origin.AddDays(-1); t.Ticks >= earliest && days.Count < count; t = t.AddDays(-1))
        {
            if (history.CountAll(t.Ticks, t.AddDays(1).Ticks) > 0) days.Add(t);
        }
        return days;
    }

    /// <summary>The total-matching scale factor fitted with the trees.</summary>
    public double Scale { get; private set; } = 1;

    public UnitForecast Predict(HistoryView history, UnitFeatures features, HourProfile profile)
    {
        var model = _model ?? throw new InvalidOperationException("The learned model is not trained.");
        // FastTreeTweedie scores are already on the count scale (exp of the tree sum); with the offset they are the
        // multiplier of the baseline.
        var daily = new double[features.Units];
        if (WalkTrees && _trees is { } trees)
        {
            // The trees are walked on the feature columns themselves: no row is copied out.
            var columns = features.Columns;
            for (var u = 0; u < daily.Length; u++)
            {
                var score = trees.Score(columns, u);
                daily[u] = float.IsFinite(score) ? Math.Max(0, score * Scale * Base(columns[KdeColumn][u], columns[ProfileColumn][u])) : 0;
            }
            return new UnitForecast(daily, profile.Shape(history.Origin));
        }
        // A model saved before later features were appended reads only the leading columns it was trained on.
        // Most of a country's units share a feature row (no history nearby): each distinct row is scored once.
        var distinct = new Dictionary<float[], int>(RowComparer.Instance);
        var rowOf = new int[features.Units];
        var rows = new List<float[]>();
        for (var u = 0; u < features.Units; u++)
        {
            var row = features.Row(u);
            if (!distinct.TryGetValue(row, out var r)) { distinct[row] = r = rows.Count; rows.Add(row); }
            rowOf[u] = r;
        }
        var scores = ScoreWithMlNet(model, rows);
        var perRow = new double[scores.Length];
        for (var r = 0; r < perRow.Length; r++)
            perRow[r] = float.IsFinite(scores[r]) ? Math.Max(0, scores[r] * Scale * Base(rows[r])) : 0;
        for (var u = 0; u < daily.Length; u++) daily[u] = perRow[rowOf[u]];
        return new UnitForecast(daily, profile.Shape(history.Origin));
    }

    /// <summary>Scores rows through ML.NET's own pipeline (the reference the flat trees are tested against).</summary>
    internal float[] ScoreWithMlNet(IReadOnlyList<float[]> rows) =>
        ScoreWithMlNet(_model ?? throw new InvalidOperationException("The learned model is not trained."), rows);

    /// <summary>Scores rows by walking the flattened trees (null when the model is not a FastTree Tweedie ensemble).</summary>
    internal float[]? ScoreWithFlatTrees(IReadOnlyList<float[]> rows) => _trees?.Score(rows);

    private float[] ScoreWithMlNet(ITransformer model, IReadOnlyList<float[]> rows)
    {
        var input = rows.Select(r => new Example { Features = _featureCount == UnitFeatures.Names.Length ? r : r[.._featureCount] });
        return model.Transform(_ml.Data.LoadFromEnumerable(input, SchemaFor(_featureCount))).GetColumn<float>("Score").ToArray();
    }

    /// <summary>Whether Predict walks the flat trees (false: through ML.NET, the reference for tests).</summary>
    internal bool WalkTrees { get; set; } = true;

    // ML.NET's Transform costs ~0.4 s per call on a country's distinct rows (data-view plumbing per row); a validation
    // scores 28 origins and an eval 365, so the trees are copied once into flat arrays and walked directly.
    private FlatTrees? _trees;

    private void Flatten() =>
        _trees = _model is RegressionPredictionTransformer<FastTreeTweedieModelParameters> t ? FlatTrees.From(t.Model.TrainedTreeEnsemble) : null;

    public string Settings => JsonSerializer.Serialize(new
    {
        features = UnitFeatures.Names, trees = Trees, leaves = Leaves, min_examples_per_leaf = MinExamplesPerLeaf,
        learning_rate = LearningRate, tweedie_index = TweedieIndex, base_offset = _offset ? "hour_of_week_x_kde" : "none", base_floor = BaseFloor, training_origins = TrainingOrigins, max_rows = MaxRows,
        scale = Scale, rows_positive = LastFitRows.Positive, rows_zero_sampled = LastFitRows.Zero,
    });

    public byte[]? Artifact
    {
        get
        {
            if (_model is null) return null;
            // A small header before the ML.NET zip carries what Predict needs besides the trees (the offset and its
            // floor). The zip is saved on its own first: its directory offsets count from the start of its stream.
            using var zip = new MemoryStream();
            _ml.Model.Save(_model, _schema, zip);
            using var ms = new MemoryStream();
            ms.Write(Magic);
            using (var w = new BinaryWriter(ms, System.Text.Encoding.UTF8, leaveOpen: true)) { w.Write(_offset); w.Write(BaseFloor); }
            zip.WriteTo(ms);
            return ms.ToArray();
        }
    }

    /// <summary>Restores a trained model from the registry's artifact.</summary>
    public static LearnedRiskModel Load(byte[] artifact, double scale)
    {
        var m = new LearnedRiskModel { Scale = scale };
        var offset = 0;
        if (artifact.AsSpan().StartsWith(Magic))
        {
            // Version 2: header (offset flag, floor) then the zip. A bare zip is a first-version model without offset.
            using var header = new BinaryReader(new MemoryStream(artifact, Magic.Length, artifact.Length - Magic.Length));
            m._offset = header.ReadBoolean();
            m.BaseFloor = header.ReadDouble();
            offset = Magic.Length + 1 + 8;
        }
        using var ms = new MemoryStream(artifact, offset, artifact.Length - offset);
        m._model = m._ml.Model.Load(ms, out var schema);
        m._schema = schema;
        m._featureCount = schema[nameof(Example.Features)].Type is VectorDataViewType v ? v.Size : UnitFeatures.Names.Length;
        m.Flatten();
        return m;
    }

    private static readonly byte[] Magic = "HALO-LRM2"u8.ToArray();

    private int _featureCount = UnitFeatures.Names.Length;

    private static SchemaDefinition SchemaFor(int features)
    {
        var s = SchemaDefinition.Create(typeof(Example));
        s[nameof(Example.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, features);
        return s;
    }

    private sealed class Example
    {
        public float[] Features { get; set; } = [];
        public float Label { get; set; }
        public float Weight { get; set; } = 1;
    }
}

/// <summary>
/// A FastTree ensemble in flat arrays. Each node sends a row left when its feature is ≤ the threshold (as ML.NET does,
/// so NaN goes right); a negative child ~k is leaf k. The Tweedie score is exp(bias + Σ leaf values).
/// </summary>
internal sealed class FlatTrees
{
    private readonly int[][] _left, _right, _feature;
    private readonly float[][] _threshold;
    private readonly double[][] _leaf;
    private readonly double[] _weight;
    private readonly double _bias;

    private FlatTrees(int[][] left, int[][] right, int[][] feature, float[][] threshold, double[][] leaf, double[] weight, double bias)
    {
        (_left, _right, _feature, _threshold, _leaf, _weight, _bias) = (left, right, feature, threshold, leaf, weight, bias);
    }

    public static FlatTrees? From(RegressionTreeEnsemble ensemble)
    {
        var trees = ensemble.Trees;
        // Categorical splits would need ML.NET's own routing; Halo's features are all numeric.
        if (trees.Any(t => t.CategoricalSplitFlags.Any(f => f))) return null;
        return new FlatTrees(
            trees.Select(t => t.LeftChild.ToArray()).ToArray(),
            trees.Select(t => t.RightChild.ToArray()).ToArray(),
            trees.Select(t => t.NumericalSplitFeatureIndexes.ToArray()).ToArray(),
            trees.Select(t => t.NumericalSplitThresholds.ToArray()).ToArray(),
            trees.Select(t => t.LeafValues.ToArray()).ToArray(),
            ensemble.TreeWeights.ToArray(),
            ensemble.Bias);
    }

    /// <summary>The score of one unit read from feature columns (column-major rows).</summary>
    public float Score(float[][] columns, int unit)
    {
        var sum = _bias;
        for (var t = 0; t < _leaf.Length; t++)
        {
            int[] left = _left[t], right = _right[t], feature = _feature[t];
            var threshold = _threshold[t];
            var node = left.Length == 0 ? -1 : 0;
            while (node >= 0) node = columns[feature[node]][unit] <= threshold[node] ? left[node] : right[node];
            sum += _weight[t] * _leaf[t][~node];
        }
        return (float)Math.Exp(sum);
    }

    /// <summary>The scores of rows (row-major), through the same walk on their columns.</summary>
    public float[] Score(IReadOnlyList<float[]> rows)
    {
        var width = rows.Count == 0 ? 0 : rows[0].Length;
        var columns = new float[width][];
        for (var f = 0; f < width; f++)
        {
            columns[f] = new float[rows.Count];
            for (var r = 0; r < rows.Count; r++) columns[f][r] = rows[r][f];
        }
        var scores = new float[rows.Count];
        for (var r = 0; r < scores.Length; r++) scores[r] = Score(columns, r);
        return scores;
    }
}

/// <summary>Feature rows compared by content.</summary>
internal sealed class RowComparer : IEqualityComparer<float[]>
{
    public static readonly RowComparer Instance = new();

    public bool Equals(float[]? x, float[]? y) => x is not null && y is not null && x.AsSpan().SequenceEqual(y);

    public int GetHashCode(float[] row)
    {
        var h = new HashCode();
        foreach (var v in row) h.Add(v);
        return h.ToHashCode();
    }
}
