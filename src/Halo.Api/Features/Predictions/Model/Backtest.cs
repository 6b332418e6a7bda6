using System.Runtime.ExceptionServices;
using System.Text.Json.Serialization;

namespace Halo.Api.Features.Predictions.Model;

/// <summary>One model's scores over a set of forecast origins (the JSON shape of <c>eval</c>).</summary>
public sealed record ModelScore(
    string Name,
    [property: JsonPropertyName("hit_rate_at")] IReadOnlyDictionary<string, double> HitRateAt,
    [property: JsonPropertyName("pai_at")] IReadOnlyDictionary<string, double> PaiAt,
    [property: JsonPropertyName("pei_at")] IReadOnlyDictionary<string, double> PeiAt,
    [property: JsonPropertyName("mean_log_likelihood")] double MeanLogLikelihood,
    IReadOnlyList<CalibrationBin> Calibration,
    [property: JsonPropertyName("predicted_total")] double PredictedTotal,
    [property: JsonPropertyName("observed_total")] double ObservedTotal);

/// <summary>Mean predicted and observed events per cell-day in one decile of the day's forecast.</summary>
public sealed record CalibrationBin(int Decile, [property: JsonPropertyName("mean_predicted")] double MeanPredicted,
    [property: JsonPropertyName("mean_observed")] double MeanObserved);

/// <summary>
/// Scores models on rolling daily origins. At each origin every model sees only <see cref="RiskDataset.At"/> (the
/// past); the harness alone reads the next 24 hours to score. Metrics, pooled over origins:
/// hit rate at 1/5/10/20 % of the area (cells ranked by the forecast's 24-hour total; a tie group straddling the cut
/// counts pro rata, as a random tie-break would on average), PAI = hit rate / area share, PEI = hits / the hits of a
/// perfect ranking at the same area, mean Poisson log-likelihood per cell-hour, and calibration by decile. A coarse
/// event counts 1/n in each of its area's n cells (its real precision), both as a hit and in the log-likelihood,
/// where its term is the expected one under a uniform position in the area. Events outside the area count as misses.
/// </summary>
public static class Backtest
{
    public static readonly int[] Levels = [1, 5, 10, 20];

    public static List<ModelScore> Evaluate(RiskDataset d, CellSpace space, IReadOnlyList<IRiskModel> models,
        IReadOnlyList<DateTime> origins, Action<int, int>? progress = null, CancellationToken ct = default, DailyScores? daily = null)
    {
        daily?.Reset(models.Count, origins.Count);
        var n = space.Count;
        var acc = models.Select(_ => new Accumulator()).ToArray();
        var observed = new double[n];
        var floor = space.FloorPerHour;
        double eventsTotal = 0;
        var oracle = new double[Levels.Length];
        double lnGammaSum = 0;
        long cellHours = 0;

        for (var oi = 0; oi < origins.Count; oi++)
        {
            ct.ThrowIfCancellationRequested();
            var origin = origins[oi];
            var view = d.At(origin);
            var profile = HourProfile.Fit(view);
            var features = UnitFeatures.Compute(view, profile);

            // The next 24 hours: harness only.
            Array.Clear(observed);
            var start = HistoryView.LowerBound(d.EventTicks, origin.Ticks);
            var end = HistoryView.LowerBound(d.EventTicks, origin.AddDays(1).Ticks);
            var fineCounts = new Dictionary<(int, int), int>();
            var coarse = new Dictionary<(int Area, int Hour), int>();
            for (var i = start; i < end; i++)
            {
                var e = d.Events[i];
                eventsTotal++;
                var hour = (int)((e.Ticks - origin.Ticks) / TimeSpan.TicksPerHour);
                if (!e.IsCoarse)
                {
                    if (!space.Index.TryGetValue(e.Cell, out var c)) continue;
                    observed[c]++;
                    fineCounts[(c, hour)] = fineCounts.GetValueOrDefault((c, hour)) + 1;
                }
                else if (d.Areas is not null && e.Area >= 0)
                {
                    var w = space.AreaShare(e.Area);
                    var cells = space.AreaCellIndices(e.Area);
                    foreach (var c in cells) observed[c] += w;
                    // Events of one area and hour share one log-likelihood term (a busy county has hundreds of thousands of cells).
                    if (cells.Length > 0) coarse[(e.Area, hour)] = coarse.GetValueOrDefault((e.Area, hour)) + 1;
                }
            }
            if (daily is not null) daily.Events[oi] = end - start;
            foreach (var k in fineCounts.Values) lnGammaSum += LnFactorial(k);
            cellHours += 24L * n;

            var oracleOrder = Ranked(observed);
            var oh = Hits(observed, oracleOrder, observed, n);
            for (var l = 0; l < Levels.Length; l++) oracle[l] += oh[l];

            // Models are scored side by side (each reads the shared view and writes only its own accumulator).
            try { Parallel.For(0, models.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = ct }, ScoreModel); }
            catch (AggregateException ex) when (ex.InnerExceptions.Count == 1) { ExceptionDispatchInfo.Capture(ex.InnerExceptions[0]).Throw(); }
            progress?.Invoke(oi + 1, origins.Count);

            void ScoreModel(int m)
            {
                var f = models[m].Predict(view, features, profile);
                var p = space.CellDaily(f, d);
                var a = acc[m];
                // Σλ over cell-hours: the shape sums to 1, the floor is per hour.
                var sumP = 0.0;
                for (var c = 0; c < n; c++) sumP += p[c];
                var llBefore = a.LogLik;
                a.LogLik -= sumP + floor * 24 * n;
                foreach (var ((c, h), k) in fineCounts) a.LogLik += k * Math.Log(p[c] * f.HourShape[h] + floor);
                foreach (var ((area, h), count) in coarse)
                {
                    var shape = f.HourShape[h];
                    var sum = 0.0;
                    // An area's cells mostly share one forecast (no fine history): a run of equal values reuses its log.
                    double last = double.NaN, lastLog = 0;
                    foreach (var c in space.AreaCellIndices(area))
                    {
                        if (p[c] != last) { last = p[c]; lastLog = Math.Log(last * shape + floor); }
                        sum += lastLog;
                    }
                    a.LogLik += count * space.AreaShare(area) * sum;
                }
                a.Predicted += sumP + floor * 24 * n;
                var order = Ranked(p);
                var hits = Hits(p, order, observed, n);
                for (var l = 0; l < Levels.Length; l++) a.Hits[l] += hits[l];
                if (daily is not null)
                {
                    daily.LogLik[m][oi] = a.LogLik - llBefore;
                    daily.Hits5[m][oi] = hits[1];
                }
                for (var r = 0; r < n; r++)
                {
                    var dec = (int)((long)r * 10 / n);
                    var c = order[r];
                    a.DecilePredicted[dec] += p[c] + floor * 24;
                    a.DecileObserved[dec] += observed[c];
                    a.DecileCount[dec]++;
                }
            }
        }

        return models.Select((m, i) =>
        {
            var a = acc[i];
            var hit = new Dictionary<string, double>();
            var pai = new Dictionary<string, double>();
            var pei = new Dictionary<string, double>();
            for (var l = 0; l < Levels.Length; l++)
            {
                var key = Levels[l].ToString(System.Globalization.CultureInfo.InvariantCulture);
                var h = eventsTotal == 0 ? 0 : a.Hits[l] / eventsTotal;
                hit[key] = Math.Round(h, 4);
                pai[key] = Math.Round(h / (Levels[l] / 100.0), 3);
                pei[key] = Math.Round(oracle[l] == 0 ? 0 : a.Hits[l] / oracle[l], 4);
            }
            var ll = cellHours == 0 ? 0 : (a.LogLik - lnGammaSum) / cellHours;
            var cal = Enumerable.Range(0, 10).Select(k => new CalibrationBin(k + 1,
                a.DecileCount[k] == 0 ? 0 : a.DecilePredicted[k] / a.DecileCount[k],
                a.DecileCount[k] == 0 ? 0 : a.DecileObserved[k] / a.DecileCount[k])).ToList();
            return new ModelScore(m.Name, hit, pai, pei, ll, cal, Math.Round(a.Predicted, 1), eventsTotal);
        }).ToList();
    }

    /// <summary>
    /// Cells in descending order of <paramref name="v"/> as far as the measures read it: the top share of the largest
    /// level (with the tie group at its cut completed) sorted, the rest only split at the decile boundaries. Equal to a
    /// full sort for <see cref="Hits"/> and the calibration deciles (ties are in no set order either way), without sorting
    /// the long tail of a country's cells on every origin.
    /// </summary>
    internal static int[] Ranked(double[] v)
    {
        var n = v.Length;
        // Selection reorders (value, cell) pairs held side by side: reading v through the index array missed the cache
        // on every step over a country's cells.
        var keys = new double[n];
        var idx = new int[n];
        for (var i = 0; i < n; i++) { keys[i] = v[i]; idx[i] = i; }
        var top = n;
        var k = (int)Math.Ceiling(Levels[^1] / 100.0 * n);
        if (k > 0 && k < n)
        {
            Select(keys, idx, 0, n, k);
            var cut = double.PositiveInfinity;
            for (var i = 0; i < k; i++) cut = Math.Min(cut, keys[i]);
            top = k;
            for (var i = k; i < n; i++)
                if (keys[i] == cut) { (idx[i], idx[top]) = (idx[top], idx[i]); (keys[i], keys[top]) = (keys[top], keys[i]); top++; }
        }
        for (var i = 0; i < top; i++) keys[i] = -keys[i];
        Array.Sort(keys, idx, 0, top);
        var bounds = new List<int>();
        for (var d = 1; d < 10; d++)
        {
            var b = (int)Math.Ceiling(d * (long)n / 10.0);
            if (b > top) bounds.Add(b);
        }
        SelectAll(keys, idx, top, n, bounds, 0, bounds.Count);
        return idx;
    }

    /// <summary>Splits keys[lo..hi) at every boundary in bounds[from..to): the middle one first, then each side (fewer passes than one after another).</summary>
    private static void SelectAll(double[] keys, int[] idx, int lo, int hi, List<int> bounds, int from, int to)
    {
        if (from >= to) return;
        var mid = (from + to) / 2;
        var b = bounds[mid];
        Select(keys, idx, lo, hi, b);
        SelectAll(keys, idx, lo, b, bounds, from, mid);
        SelectAll(keys, idx, b, hi, bounds, mid + 1, to);
    }

    /// <summary>Reorders keys[lo..hi) (and idx with it) so that every key before position k is at least every key from k on.</summary>
    private static void Select(double[] keys, int[] idx, int lo, int hi, int k)
    {
        while (hi - lo > 1 && k > lo && k < hi)
        {
            double a = keys[lo], b = keys[lo + (hi - lo) / 2], c = keys[hi - 1];
            var pivot = Math.Max(Math.Min(a, b), Math.Min(Math.Max(a, b), c));
            // Three-way split (many cells share a value): [lo, lt) above the pivot, [lt, gt) equal, [gt, hi) below.
            int lt = lo, i = lo, gt = hi;
            while (i < gt)
            {
                var x = keys[i];
                if (x > pivot) { (keys[lt], keys[i]) = (x, keys[lt]); (idx[lt], idx[i]) = (idx[i], idx[lt]); lt++; i++; }
                else if (x < pivot) { gt--; (keys[i], keys[gt]) = (keys[gt], x); (idx[i], idx[gt]) = (idx[gt], idx[i]); }
                else i++;
            }
            if (k < lt) hi = lt;
            else if (k > gt) lo = gt;
            else return;
        }
    }

    /// <summary>Observed mass in the top 1/5/10/20 % of cells by <paramref name="score"/>; tie groups at the cut count pro rata.</summary>
    internal static double[] Hits(double[] score, int[] order, double[] observed, int n)
    {
        var hits = new double[Levels.Length];
        var i = 0;
        while (i < n)
        {
            var j = i;
            var mass = 0.0;
            while (j < n && score[order[j]] == score[order[i]]) mass += observed[order[j++]];
            for (var l = 0; l < Levels.Length; l++)
            {
                var k = Levels[l] / 100.0 * n;
                if (k >= j) hits[l] += mass;
                else if (k > i) hits[l] += mass * (k - i) / (j - i);
            }
            if (Levels[^1] / 100.0 * n <= j) break;
            i = j;
        }
        return hits;
    }

    private static double LnFactorial(int k)
    {
        var s = 0.0;
        for (var i = 2; i <= k; i++) s += Math.Log(i);
        return s;
    }

    private sealed class Accumulator
    {
        public double LogLik;
        public double Predicted;
        public readonly double[] Hits = new double[Levels.Length];
        public readonly double[] DecilePredicted = new double[10];
        public readonly double[] DecileObserved = new double[10];
        public readonly long[] DecileCount = new long[10];
    }
}

/// <summary>
/// Per-origin scores of one <see cref="Backtest.Evaluate"/> run, for paired comparisons over days: each model's
/// log-likelihood sum over the day's cell-hours (the model-independent ln y! left out) and its hits at 5 % of the area,
/// and the day's events.
/// </summary>
public sealed class DailyScores
{
    public double[][] LogLik { get; private set; } = [];
    public double[][] Hits5 { get; private set; } = [];
    public double[] Events { get; private set; } = [];
    public long CellHoursPerDay { get; set; }

    internal void Reset(int models, int origins)
    {
        LogLik = Enumerable.Range(0, models).Select(_ => new double[origins]).ToArray();
        Hits5 = Enumerable.Range(0, models).Select(_ => new double[origins]).ToArray();
        Events = new double[origins];
    }

    /// <summary>
    /// Paired bootstrap over days of model <paramref name="a"/> against <paramref name="b"/>: the days are resampled with
    /// replacement <paramref name="resamples"/> times (fixed seed) and the pooled differences recomputed. Returns the
    /// point differences and the 5th and 95th percentiles of (a − b) for the mean log-likelihood per cell-hour and PAI@5.
    /// </summary>
    public PairedComparison Compare(int a, int b, int cellsPerDay, int resamples = 2000, int seed = 1)
    {
        var n = Events.Length;
        var rng = new Random(seed);
        double Ll(int[] idx) { double s = 0; foreach (var i in idx) s += LogLik[a][i] - LogLik[b][i]; return s / (idx.Length * 24.0 * cellsPerDay); }
        double Pai(int[] idx)
        {
            double ha = 0, hb = 0, e = 0;
            foreach (var i in idx) { ha += Hits5[a][i]; hb += Hits5[b][i]; e += Events[i]; }
            return e == 0 ? 0 : (ha - hb) / e / 0.05;
        }
        var all = Enumerable.Range(0, n).ToArray();
        var ll = new double[resamples];
        var pai = new double[resamples];
        var idx = new int[n];
        for (var r = 0; r < resamples; r++)
        {
            for (var i = 0; i < n; i++) idx[i] = rng.Next(n);
            ll[r] = Ll(idx);
            pai[r] = Pai(idx);
        }
        Array.Sort(ll);
        Array.Sort(pai);
        double Q(double[] v, double q) => v.Length == 0 ? 0 : v[Math.Clamp((int)Math.Floor(q * (v.Length - 1)), 0, v.Length - 1)];
        return new PairedComparison(n == 0 ? 0 : Ll(all), Q(ll, 0.05), Q(ll, 0.95), n == 0 ? 0 : Pai(all), Q(pai, 0.05), Q(pai, 0.95), n);
    }
}

/// <summary>A − B over the same days: point difference and bootstrap 5th / 95th percentiles.</summary>
public sealed record PairedComparison(
    [property: JsonPropertyName("log_likelihood_diff")] double LogLikDiff,
    [property: JsonPropertyName("log_likelihood_diff_p05")] double LogLikP05,
    [property: JsonPropertyName("log_likelihood_diff_p95")] double LogLikP95,
    [property: JsonPropertyName("pai5_diff")] double Pai5Diff,
    [property: JsonPropertyName("pai5_diff_p05")] double Pai5P05,
    [property: JsonPropertyName("pai5_diff_p95")] double Pai5P95,
    int Days);
