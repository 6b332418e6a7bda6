using System.Globalization;

namespace Halo.Api.Features.Predictions.Model;

/// <summary>The outcome of training: the chosen model fitted on all data before the end, and why it was chosen.</summary>
public sealed record TrainedRisk(IRiskModel Chosen, string WhyChosen, IReadOnlyList<ModelScore> Validation,
    DateTime ValidationStart, DateTime End, IReadOnlyList<IRiskModel> AllFitted);

/// <summary>
/// Trains every candidate and picks one on a validation window that lies after its training data: all candidates are
/// fitted on the data before <c>end − validationDays</c>, scored on the daily origins of the validation window, and the
/// one with the best mean Poisson log-likelihood wins (the learned model only if it beats every baseline; otherwise the
/// best baseline is used). The winner is then refitted on all data before <c>end</c>.
/// </summary>
public static class RiskTrainer
{
    public static IReadOnlyList<IRiskModel> Candidates(int trainingOrigins = 120, int maxRows = 150_000) =>
        [new TrailingCountModel(), new KdeModel(), new HourOfWeekKdeModel(), new LearnedRiskModel { TrainingOrigins = trainingOrigins, MaxRows = maxRows }];

    /// <param name="build">Builds the data set whose units are those active before the given time.</param>
    public static TrainedRisk Train(Func<DateTime, RiskDataset> build, DateTime end, int validationDays,
        Func<IReadOnlyList<IRiskModel>> candidates, Action<string>? log = null, CancellationToken ct = default, bool refitAll = false)
    {
        var valStart = end.AddDays(-validationDays);
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
        var origins = Enumerable.Range(0, validationDays).Select(k => valStart.AddDays(k)).ToList();
        log?.Invoke($"Validation: {origins.Count} origins from {valStart:u}, {valSpace.Count} cells");
        var scores = Backtest.Evaluate(valData, valSpace, fitted, origins, ct: ct);
        var best = scores.MaxBy(s => s.MeanLogLikelihood)!;
        var bestBaseline = scores.Where(s => s.Name != LearnedRiskModel.ModelName).MaxBy(s => s.MeanLogLikelihood)!;
        var learned = scores.FirstOrDefault(s => s.Name == LearnedRiskModel.ModelName);
        string F(ModelScore s) => string.Create(CultureInfo.InvariantCulture, $"{s.Name} (log-likelihood {s.MeanLogLikelihood:0.00000e+0}, PAI@5 {s.PaiAt["5"]:0.00})");
        var why = learned is null
            ? $"{F(best)} is the best baseline; the learned model could not be trained: {string.Join("; ", failures)}."
            : best.Name == LearnedRiskModel.ModelName
                ? $"{F(learned)} beat the best baseline {F(bestBaseline)} on mean Poisson log-likelihood per cell-hour over the {validationDays}-day validation window from {valStart:yyyy-MM-dd}."
                : $"Fell back to the best baseline {F(bestBaseline)}: the learned model {F(learned)} did not beat it on mean Poisson log-likelihood per cell-hour over the {validationDays}-day validation window from {valStart:yyyy-MM-dd}.";
        log?.Invoke("Chosen: " + why);

        var fullData = build(end);
        var chosenName = best.Name;
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
