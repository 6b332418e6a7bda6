using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.ExceptionServices;

namespace Halo.Api.Features.Predictions.Model;

/// <summary>The outcome of training: the chosen model fitted on all data before the end, and why it was chosen.</summary>
public sealed record TrainedRisk(IRiskModel Chosen, string WhyChosen, IReadOnlyList<ModelScore> Validation,
    DateTime ValidationStart, DateTime End, IReadOnlyList<IRiskModel> AllFitted)
{
    /// <summary>Each challenger against the best naive forecast on validation (paired bootstrap over days).</summary>
    public IReadOnlyDictionary<string, PairedComparison> Comparisons { get; init; } = new Dictionary<string, PairedComparison>();

    /// <summary>Every candidate's settings as fitted on the data before the validation window (e.g. the KDE grid's scores).</summary>
    public IReadOnlyDictionary<string, string> CandidateSettings { get; init; } = new Dictionary<string, string>();

    /// <summary>The candidates' scores per validation window (name → one score per window, oldest first).</summary>
    public IReadOnlyList<(DateTime From, int Days, IReadOnlyList<ModelScore> Scores)> Windows { get; init; } = [];
}

/// <summary>
/// Trains every candidate and picks one on validation windows that lie after its training data: all candidates are
/// fitted on the data before the validation period, scored on its daily origins (split into rolling windows), and a
/// model that is not a naive forecast (the learned model, the self-exciting process) is chosen only if a paired bootstrap over the validation days
/// finds its mean Poisson log-likelihood better than the best naive forecast's (the 5th percentile of the difference
/// above zero) AND its PAI@5 not worse than the best naive PAI@5 beyond noise (the 95th percentile of the difference at
/// least zero); otherwise the naive forecast with the best log-likelihood is used. The winner is then refitted on all
/// data before <c>end</c>.
/// </summary>
public static class RiskTrainer
{
    /// <summary>
    /// Events the validation period should hold. The per-event log-likelihood ratio of two competing models has a spread
    /// of the order of one nat, so with n events the difference of their means is known to about 1/√n: ≈ 0.03 nats at
    /// 1,000 events, ≈ 0.016 at 4,000 — the size of the margins that separate the strong naive forecasts.
    /// </summary>
    public const int DefaultMinValidationEvents = 4000;

    /// <summary>Upper bound of the validation period, so the candidates compared are not fitted on stale data.</summary>
    public const int DefaultMaxValidationDays = 730;

    /// <summary>Rolling validation windows the period is split into (reported per window in why_chosen and the registry).</summary>
    public const int ValidationWindows = 4;

    /// <summary>Models that are not naive forecasts: they must beat the best naive one to be chosen.</summary>
    public static bool IsChallenger(string name) => name is LearnedRiskModel.ModelName or HawkesModel.ModelName;

    public static IReadOnlyList<IRiskModel> Candidates(int trainingOrigins = 120, int maxRows = 150_000) =>
    [
        new TrailingCountModel(365), new TrailingCountModel(730), new TrailingCountModel(null), new KdeModel(), new KdeGridModel(),
        new HourOfWeekKdeModel(), new LearnedRiskModel { TrainingOrigins = trainingOrigins, MaxRows = maxRows }, new HawkesModel(),
    ];

    /// <summary>
    /// Days of validation: enough for <paramref name="minEvents"/> at the event rate of the year before
    /// the origin of <paramref name="beforeEnd"/> (per day on which there were events: a feed that was down is not a quiet place), at least
    /// <paramref name="minDays"/> and at most <paramref name="maxDays"/>; a period that grows past
    /// <paramref name="minDays"/> never takes more than half of the history, so the candidates compared on it still
    /// have data to be fitted on.
    /// </summary>
    public static int ValidationDays(HistoryView beforeEnd, int minDays, int minEvents, int maxDays) =>
        ValidationDays(beforeEnd, minDays, minEvents, maxDays, out _);

    /// <param name="capped">True when the length or half-history cap cut the period short of the events asked for.</param>
    public static int ValidationDays(HistoryView beforeEnd, int minDays, int minEvents, int maxDays, out bool capped)
    {
        capped = false;
        var events = beforeEnd.Events;
        if (events.Length == 0 || minEvents <= 0) return minDays;
        var from = beforeEnd.Origin.AddDays(-365).Ticks;
        var n = 0;
        var liveDays = new HashSet<long>();
        for (var i = events.Length - 1; i >= 0 && events[i].Ticks >= from; i--)
        {
            n++;
            liveDays.Add(events[i].Ticks / TimeSpan.TicksPerDay);
        }
        var perDay = n / (double)Math.Max(1, liveDays.Count);
        var days = perDay <= 0 ? maxDays : (int)Math.Ceiling(minEvents / perDay);
        var historyDays = (beforeEnd.Origin.Ticks - events[0].Ticks) / (double)TimeSpan.TicksPerDay;
        var cap = Math.Max(minDays, Math.Min(maxDays, (int)Math.Floor(historyDays / 2)));
        capped = days > cap;
        return Math.Clamp(days, minDays, cap);
    }

    private static string F(ModelScore s) => string.Create(CultureInfo.InvariantCulture, $"{s.Name} (log-likelihood {s.MeanLogLikelihood:0.00000e+0}, PAI@5 {s.PaiAt["5"]:0.00})");

    /// <summary>
    /// The selection rule on validation scores. With <paramref name="daily"/> (per-origin scores, paired bootstrap over
    /// days): a challenger wins only with a log-likelihood margin (5th percentile of its difference to the best naive
    /// forecast's above 0) and no PAI@5 loss beyond noise (95th percentile of its difference to the best naive PAI@5 at
    /// least 0). Without: its log-likelihood must be higher than every naive forecast's and its PAI@5 at least the best
    /// naive PAI@5. Otherwise the naive forecast with the best log-likelihood.
    /// </summary>
    public static (string Chosen, string Why) Choose(IReadOnlyList<ModelScore> scores, string window, IReadOnlyList<string>? failures = null,
        DailyScores? daily = null, int cellsPerDay = 0, Dictionary<string, PairedComparison>? comparisons = null)
    {
        var baselines = scores.Where(s => !IsChallenger(s.Name)).ToList();
        var challengers = scores.Where(s => IsChallenger(s.Name)).ToList();
        if (baselines.Count == 0)
            return challengers.Count == 0 ? throw new InvalidOperationException("No scores to choose from.") : (challengers[0].Name, $"{F(challengers[0])} is the only model that could be trained.");
        var bestLl = baselines.MaxBy(s => s.MeanLogLikelihood)!;
        var bestPai = baselines.MaxBy(s => s.PaiAt["5"])!;
        if (challengers.Count == 0)
            return (bestLl.Name, $"{F(bestLl)} is the best naive forecast on log-likelihood over {window}; no challenger could be trained: {string.Join("; ", failures ?? [])}.");
        var inv = CultureInfo.InvariantCulture;
        var notes = new List<string>();
        ModelScore? winner = null;
        foreach (var c in challengers.OrderByDescending(s => s.MeanLogLikelihood))
        {
            bool betterLl, paiOk;
            string detail;
            if (daily is not null && cellsPerDay > 0)
            {
                int I(ModelScore s) => IndexOf(scores, s);
                var vsLl = daily.Compare(I(c), I(bestLl), cellsPerDay);
                var vsPai = daily.Compare(I(c), I(bestPai), cellsPerDay);
                if (comparisons is not null) comparisons[c.Name] = vsLl with { Pai5Diff = vsPai.Pai5Diff, Pai5P05 = vsPai.Pai5P05, Pai5P95 = vsPai.Pai5P95 };
                betterLl = vsLl.LogLikP05 > 0;
                paiOk = vsPai.Pai5P95 >= 0;
                detail = string.Create(inv, $"paired bootstrap over {vsLl.Days} days: log-likelihood difference {vsLl.LogLikDiff:0.000e+0} (90 % interval {vsLl.LogLikP05:0.000e+0} … {vsLl.LogLikP95:0.000e+0}), PAI@5 difference {vsPai.Pai5Diff:+0.00;-0.00} ({vsPai.Pai5P05:+0.00;-0.00} … {vsPai.Pai5P95:+0.00;-0.00})");
            }
            else
            {
                betterLl = c.MeanLogLikelihood > bestLl.MeanLogLikelihood;
                paiOk = c.PaiAt["5"] >= bestPai.PaiAt["5"];
                detail = "point scores";
            }
            if (betterLl && paiOk) { winner = c; notes.Add($"{F(c)} beat the best naive forecast on mean Poisson log-likelihood per cell-hour ({F(bestLl)}) and is not worse on PAI@5 than the best naive forecast there ({F(bestPai)}) ({detail})"); break; }
            var reasons = new List<string>();
            if (!betterLl) reasons.Add(daily is null ? $"its log-likelihood is not better than {F(bestLl)}" : $"its log-likelihood is not better than {F(bestLl)} by a margin the days support");
            if (!paiOk) reasons.Add(daily is null ? $"its PAI@5 is below {F(bestPai)}" : $"its PAI@5 is below {F(bestPai)} beyond noise");
            notes.Add($"the challenger {F(c)} must be better on log-likelihood and not worse on PAI@5, but {string.Join(" and ", reasons)} ({detail})");
        }
        if (winner is not null) return (winner.Name, $"{notes[^1]}, over {window}.");
        return (bestLl.Name, $"Fell back to the naive forecast with the best log-likelihood, {F(bestLl)}: {string.Join("; ", notes)}, over {window}.");
    }

    private static int IndexOf(IReadOnlyList<ModelScore> scores, ModelScore s)
    {
        for (var i = 0; i < scores.Count; i++) if (ReferenceEquals(scores[i], s)) return i;
        return -1;
    }

    /// <param name="build">Builds the data set whose units are those active before the given time.</param>
    /// <param name="validationDays">The shortest validation period; it grows toward <paramref name="minValidationEvents"/> events (at most <paramref name="maxValidationDays"/>).</param>
    public static TrainedRisk Train(Func<DateTime, RiskDataset> build, DateTime end, int validationDays,
        Func<IReadOnlyList<IRiskModel>> candidates, Action<string>? log = null, CancellationToken ct = default, bool refitAll = false,
        int minValidationEvents = DefaultMinValidationEvents, int maxValidationDays = DefaultMaxValidationDays)
    {
        var fullData = build(end);
        var minDays = Math.Max(validationDays, ValidationWindows * 7);
        maxValidationDays = Math.Max(maxValidationDays, minDays);
        var days = ValidationDays(fullData.At(end), minDays, minValidationEvents, maxValidationDays, out var capped);
        var valStart = end.AddDays(-days);
        var valData = build(valStart);
        var valSpace = new CellSpace(valData);
        var models = candidates();
        // The candidates are fitted side by side (each fit reads the shared data only): the slow ones (the learned
        // model, the EM, the KDE grid) each keep a core only in part. Logged and kept in candidate order.
        var outcomes = new (bool Ok, string Log, string? Failure)[models.Count];
        try
        {
            Parallel.ForEach(Partitioner.Create(Enumerable.Range(0, models.Count), EnumerablePartitionerOptions.NoBuffering),
                new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = ct }, FitOne);
        }
        catch (AggregateException ex) when (ex.InnerExceptions.Count == 1) { ExceptionDispatchInfo.Capture(ex.InnerExceptions[0]).Throw(); }

        void FitOne(int i)
        {
            var m = models[i];
            try
            {
                var started = Stopwatch.GetTimestamp();
                m.Fit(valData.At(valStart), ct);
                outcomes[i] = (true, string.Create(CultureInfo.InvariantCulture, $"  {m.Name}: fitted in {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s{(m is HawkesModel h ? $" ({h})" : "")}"), null);
            }
            catch (InvalidOperationException ex)
            {
                outcomes[i] = (false, $"  {m.Name}: not trained: {ex.Message}", $"{m.Name} could not be trained ({ex.Message})");
            }
        }
        var fitted = new List<IRiskModel>();
        var failures = new List<string>();
        for (var i = 0; i < models.Count; i++)
        {
            log?.Invoke(outcomes[i].Log);
            if (outcomes[i].Ok) fitted.Add(models[i]); else failures.Add(outcomes[i].Failure!);
        }
        if (fitted.Count == 0) throw new InvalidOperationException("No candidate model could be trained: " + string.Join("; ", failures));
        // Origins on which the feed was live (an event in the 7 days before; decided from the past only): a new install's
        // gap between an old sample and its first live events says nothing about the models.
        var all = Enumerable.Range(0, days).Select(k => valStart.AddDays(k)).ToList();
        var origins = all.Where(t => fullData.At(t).CountAll(t.AddDays(-7).Ticks, t.Ticks) > 0).ToList();
        if (origins.Count == 0) origins = all;
        log?.Invoke($"Validation: {origins.Count} origins from {valStart:u}, {valSpace.Count} cells");
        var daily = new DailyScores();
        var scores = Backtest.Evaluate(valData, valSpace, fitted, origins, ct: ct, daily: daily);
        var windows = WindowScores(scores, daily, origins, valSpace.Count);
        var inv = CultureInfo.InvariantCulture;
        var eventsPerWindow = string.Join(", ", windows.Select(w => w.Scores[0].ObservedTotal.ToString("0", inv)));
        var window = string.Create(inv,
            $"{windows.Count} rolling validation windows of the {days} days from {valStart:yyyy-MM-dd} ({origins.Count} daily origins{(origins.Count < all.Count ? $", {all.Count - origins.Count} without events in the week before left out" : "")}; {scores[0].ObservedTotal:0} events, {eventsPerWindow} per window; sized for ≥ {ValidationWindows} windows and ≥ {minValidationEvents} events, {minDays}–{maxValidationDays} days and at most half the history{Shortfall(scores[0].ObservedTotal, minValidationEvents, capped)})");
        var comparisons = new Dictionary<string, PairedComparison>();
        var (chosenName, why) = Choose(scores, window, failures, daily, valSpace.Count, comparisons);
        log?.Invoke("Chosen: " + why);
        var candidateSettings = fitted.ToDictionary(m => m.Name, m => m.Settings);

        var refit = candidates().Where(m => refitAll || m.Name == chosenName).ToList();
        var refitted = new List<IRiskModel>();
        foreach (var m in refit)
        {
            try { m.Fit(fullData.At(end), ct); refitted.Add(m); }
            catch (InvalidOperationException ex) when (m.Name != chosenName) { log?.Invoke($"  {m.Name}: not refitted: {ex.Message}"); }
        }
        return new TrainedRisk(refitted.First(m => m.Name == chosenName), why, scores, valStart, end, refitted)
        {
            Comparisons = comparisons, CandidateSettings = candidateSettings, Windows = windows,
        };
    }

    /// <summary>Why the period holds fewer events than asked: the cap (all the history allows) or a quieter period than the past year's rate promised.</summary>
    private static string Shortfall(double events, int minEvents, bool capped) =>
        events >= minEvents ? ""
        : capped ? string.Create(CultureInfo.InvariantCulture, $"; {events:0} events: the cap on the period's length binds, so that is all the history allows")
        : string.Create(CultureInfo.InvariantCulture, $"; {events:0} events: the period was sized by the past year's rate, and these days were quieter");

    /// <summary>Splits the validation origins into consecutive windows and scores each model per window (LL and hit rate / PAI at 5 %).</summary>
    private static List<(DateTime From, int Days, IReadOnlyList<ModelScore> Scores)> WindowScores(IReadOnlyList<ModelScore> scores, DailyScores daily, List<DateTime> origins, int cells)
    {
        var k = Math.Min(ValidationWindows, origins.Count);
        var result = new List<(DateTime, int, IReadOnlyList<ModelScore>)>();
        for (var w = 0; w < k; w++)
        {
            int lo = w * origins.Count / k, hi = (w + 1) * origins.Count / k;
            double events = 0;
            for (var i = lo; i < hi; i++) events += daily.Events[i];
            var list = new List<ModelScore>();
            for (var m = 0; m < scores.Count; m++)
            {
                double ll = 0, hits = 0;
                for (var i = lo; i < hi; i++) { ll += daily.LogLik[m][i]; hits += daily.Hits5[m][i]; }
                var hit = events == 0 ? 0 : hits / events;
                list.Add(new ModelScore(scores[m].Name, new Dictionary<string, double> { ["5"] = Math.Round(hit, 4) },
                    new Dictionary<string, double> { ["5"] = Math.Round(hit / 0.05, 3) }, new Dictionary<string, double>(),
                    ll / ((hi - lo) * 24.0 * cells), [], 0, events));
            }
            result.Add((origins[lo], hi - lo, list));
        }
        return result;
    }
}
