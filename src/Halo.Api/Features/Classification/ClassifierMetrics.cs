namespace Halo.Api.Features.Classification;

public sealed record CategoryMetrics(string Category, int Support, int Predicted, double Precision, double Recall, double F1);

/// <summary>Multiclass quality figures, computed the same way for the model and for the keyword baseline.</summary>
public sealed record ClassifierMetrics(
    int Count, double Accuracy, double MacroF1, double Top3Accuracy, double ExpectedCalibrationError, double LogLoss,
    double MeanTopProbability, IReadOnlyList<CategoryMetrics> PerCategory)
{
    public const int CalibrationBins = 15;

    /// <summary>
    /// <paramref name="probabilities"/>[i][j] is the probability of <paramref name="labels"/>[j] for example i.
    /// Macro-F1 averages over every category that occurs in the truth or in the predictions (as scikit-learn does).
    /// ECE uses <see cref="CalibrationBins"/> equal-width bins of the top-1 probability.
    /// </summary>
    public static ClassifierMetrics Compute(IReadOnlyList<string> truth, IReadOnlyList<float[]> probabilities, IReadOnlyList<string> labels)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(truth.Count, probabilities.Count);
        var n = truth.Count;
        if (n == 0) return new ClassifierMetrics(0, 0, 0, 0, 0, 0, 0, []);
        var tp = new Dictionary<string, int>(); var support = new Dictionary<string, int>(); var predicted = new Dictionary<string, int>();
        int correct = 0, top3 = 0;
        double logLoss = 0, sumTop = 0;
        var binCount = new int[CalibrationBins]; var binConf = new double[CalibrationBins]; var binCorrect = new double[CalibrationBins];
        for (var i = 0; i < n; i++)
        {
            var p = probabilities[i];
            var order = Enumerable.Range(0, p.Length).OrderByDescending(j => p[j]).ToArray();
            var best = labels[order[0]];
            var y = truth[i];
            support[y] = support.GetValueOrDefault(y) + 1;
            predicted[best] = predicted.GetValueOrDefault(best) + 1;
            var hit = best == y;
            if (hit) { correct++; tp[y] = tp.GetValueOrDefault(y) + 1; }
            if (order.Take(3).Any(j => labels[j] == y)) top3++;
            var yi = IndexOf(labels, y);
            logLoss -= Math.Log(Math.Max(yi >= 0 ? p[yi] : 0, 1e-15));
            var conf = p[order[0]];
            sumTop += conf;
            var bin = Math.Min(CalibrationBins - 1, (int)(conf * CalibrationBins));
            binCount[bin]++; binConf[bin] += conf; binCorrect[bin] += hit ? 1 : 0;
        }
        double ece = 0;
        for (var b = 0; b < CalibrationBins; b++)
            if (binCount[b] > 0) ece += binCount[b] / (double)n * Math.Abs(binCorrect[b] / binCount[b] - binConf[b] / binCount[b]);

        var per = support.Keys.Union(predicted.Keys).Order(StringComparer.Ordinal).Select(c =>
        {
            var t = tp.GetValueOrDefault(c); var s = support.GetValueOrDefault(c); var pr = predicted.GetValueOrDefault(c);
            var precision = pr == 0 ? 0 : t / (double)pr;
            var recall = s == 0 ? 0 : t / (double)s;
            var f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            return new CategoryMetrics(c, s, pr, precision, recall, f1);
        }).ToList();
        return new ClassifierMetrics(n, correct / (double)n, per.Average(c => c.F1), top3 / (double)n, ece, logLoss / n, sumTop / n, per);
    }

    private static int IndexOf(IReadOnlyList<string> labels, string y)
    {
        for (var j = 0; j < labels.Count; j++) if (labels[j] == y) return j;
        return -1;
    }
}
