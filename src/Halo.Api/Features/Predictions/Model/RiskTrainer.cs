using System.Globalization;

namespace Halo.Api.Features.Predictions.Model;

/// <summary>The outcome of training: the chosen model fitted on all data before the end, and why it was chosen.</summary>
public sealed record TrainedRisk(IRiskModel Chosen, string WhyChosen, IReadOnlyList<ModelScore> Validation,
    DateTime ValidationStart, DateTime End, IReadOnlyList<IRiskModel> AllFitted);

/// <summary>
/// Trains every candidate and picks one on a validation window that lies after its training data: all candidates are
/// fitted on the data before the validation window, scored on its daily origins, and the learned model is chosen only
/// if it is better than the best baseline on mean Poisson log-likelihood AND not worse than the best baseline on
/// PAI@5 (the two things the model is judged on); otherwise the baseline with the best log-likelihood is used. The
/// winner is then refitted on all data before <c>end</c>.
/// </summary>
public static class RiskTrainer
{
    /// <summary>
    /// Events the validation window should hold. The per-event log-likelihood ratio of two competing models has a spread
    /// of the order of one nat, so with n events the difference of their means is known to about 1/√n: ≈ 0.07 nats at
    /// 200 events (28 days of a data set with 7 a day), ≈ 0.03 at 1,000. Sparse data sets therefore get a longer window.
    /// </summary>
    public const int DefaultMinValidationEvents = 1000;

    /// <summary>Upper bound of the validation window, so the candidates compared are not fitted on stale data.</summary>
    public const int DefaultMaxValidationDays = 120;

    public static IReadOnlyList<IRiskModel> Candidates(int trainingOrigins = 120, int maxRows = 150_000) =>
        [new TrailingCountModel(), new KdeModel(), new HourOfWeekKdeModel(), new LearnedRiskModel { TrainingOrigins = trainingOrigins, MaxRows = maxRows }];

    /// <summary>
    /// Days of validation: enough for <paramref name="minEvents"/> at the event rate of the year before
    /// the origin of <paramref name="beforeEnd"/>, at least <paramref name="minDays"/> and at most <paramref name="maxDays"/>; a window that
    /// grows past <paramref name="minDays"/> never takes more than half of the history, so the candidates compared on
    /// it still have data to be fitted on.
    /// </summary>
    public static int ValidationDays(HistoryView beforeEnd, int minDays, int minEvents, int maxDays)
    {
        var events = beforeEnd.Events;
        if (events.Length == 0 || minEvents <= 0) return minDays;
        var from = beforeEnd.Origin.AddDays(-365).Ticks;
        var n = 0;
        for (var i = events.Length - 1; i >= 0 && events[i].Ticks >= from; i--) n++;
        var spanDays = Math.Clamp((beforeEnd.Origin.Ticks - Math.Max(from, events[0].Ticks)) / (double)TimeSpan.TicksPerDay, 1, 365);
        var perDay = n / spanDays;
        var days = perDay <= 0 ? maxDays : (int)Math.Ceiling(minEvents / perDay);
        var historyDays = (beforeEnd.Origin.Ticks - events[0].Ticks) / (double)TimeSpan.TicksPerDay;
        var cap = Math.Max(minDays, Math.Min(maxDays, (int)Math.Floor(historyDays / 2)));
        return Math.Clamp(days, minDays, cap);
    }

    /// <summary>
    /// The selection rule on validation scores: the learned model wins only if its log-likelihood is higher than every
    /// baseline's and its PAI@5 is at least the best baseline PAI@5; otherwise the baseline with the best log-likelihood.
    /// </summary>
    public static (string Chosen, string Why) Choose(IReadOnlyList<ModelScore> scores, string window, IReadOnlyList<string>? failures = null)
    {
        static string F(ModelScore s) => string.Create(CultureInfo.InvariantCulture, $"{s.Name} (log-likelihood {s.MeanLogLikelihood:0.00000e+0}, PAI@5 {s.PaiAt["5"]:0.00})");
        var baselines = scores.Where(s => s.Name != LearnedRiskModel.ModelName).ToList();
        var learned = scores.FirstOrDefault(s => s.Name == LearnedRiskModel.ModelName);
        if (baselines.Count == 0)
            return learned is null ? throw new InvalidOperationException("No scores to choose from.") : (learned.Name, $"{F(learned)} is the only model that could be trained.");
        var bestLl = baselines.MaxBy(s => s.MeanLogLikelihood)!;
        var bestPai = baselines.MaxBy(s => s.PaiAt["5"])!;
        if (learned is null)
            return (bestLl.Name, $"{F(bestLl)} is the best baseline on log-likelihood; the learned model could not be trained: {string.Join("; ", failures ?? [])}.");
        var betterLl = learned.MeanLogLikelihood > bestLl.MeanLogLikelihood;
        var paiOk = learned.PaiAt["5"] >= bestPai.PaiAt["5"];
        if (betterLl && paiOk)
            return (learned.Name, $"{F(learned)} beat the best baseline on mean Poisson log-likelihood per cell-hour ({F(bestLl)}) and is not worse on PAI@5 than the best baseline there ({F(bestPai)}) over {window}.");
        var reasons = new List<string>();
        if (!betterLl) reasons.Add($"its log-likelihood is not better than {F(bestLl)}");
        if (!paiOk) reasons.Add($"its PAI@5 is below {F(bestPai)}");
        return (bestLl.Name, $"Fell back to the baseline with the best log-likelihood, {F(bestLl)}: the learned model {F(learned)} must be better on log-likelihood and not worse on PAI@5, but {string.Join(" and ", reasons)}, over {window}.");
    }

    /// <param name="build">Builds the data set whose units are those active before the given time.</param>
    /// <param name="validationDays">The shortest validation window; it grows toward <paramref name="minValidationEvents"/> events (at most <paramref name="maxValidationDays"/>).</param>
    public static TrainedRisk Train(Func<DateTime, RiskDataset> build, DateTime end, int validationDays,
        Func<IReadOnlyList<IRiskModel>> candidates, Action<string>? log = null, CancellationToken ct = default, bool refitAll = false,
        int minValidationEvents = DefaultMinValidationEvents, int maxValidationDays = DefaultMaxValidationDays)
    {
        var fullData = build(end);
        var days = ValidationDays(fullData.At(end), validationDays, minValidationEvents, maxValidationDays);
        var valStart = end.AddDays(-days);
        var valData = build(valStart);
        var valSpace = new CellSpace(valData);
        var models = candidates();
        var fitted = new List<IRiskModel>();
        var failures = new List<string>();
        foreach (var m in models)
        {
            ct.ThrowIfCancellationRequested();
            try
            {
                m.Fit(valData.At(valStart), ct);
                fitted.Add(m);
            }
            catch (InvalidOperationException ex)
            {
                failures.Add($"{m.Name} could not be trained ({ex.Message})");
                log?.Invoke($"  {m.Name}: not trained: {ex.Message}");
            }
        }
        if (fitted.Count == 0) throw new InvalidOperationException("No candidate model could be trained: " + string.Join("; ", failures));
        var origins = Enumerable.Range(0, days).Select(k => valStart.AddDays(k)).ToList();
        log?.Invoke($"Validation: {origins.Count} origins from {valStart:u}, {valSpace.Count} cells");
        var scores = Backtest.Evaluate(valData, valSpace, fitted, origins, ct: ct);
        var window = string.Create(CultureInfo.InvariantCulture,
            $"the {days}-day validation window from {valStart:yyyy-MM-dd} ({scores[0].ObservedTotal:0} events; sized for ≥ {minValidationEvents} events, {validationDays}–{maxValidationDays} days)");
        var (chosenName, why) = Choose(scores, window, failures);
        log?.Invoke("Chosen: " + why);

        var refit = candidates().Where(m => refitAll || m.Name == chosenName).ToList();
        var refitted = new List<IRiskModel>();
        foreach (var m in refit)
        {
            try { m.Fit(fullData.At(end), ct); refitted.Add(m); }
            catch (InvalidOperationException ex) when (m.Name != chosenName) { log?.Invoke($"  {m.Name}: not refitted: {ex.Message}"); }
        }
        return new TrainedRisk(refitted.First(m => m.Name == chosenName), why, scores, valStart, end, refitted);
    }
}
