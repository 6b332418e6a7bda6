using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Halo.Api.Features.Ingestion.Polisen;
using Halo.Api.Features.Taxonomy;
using Halo.Api.Infrastructure;

namespace Halo.Api.Features.Classification;

/// <summary>
/// <c>eval-classifier</c>: trains on police events published up to --train-end and tests on --test-start..--test-end
/// (publication dates, Swedish local time as published), comparing with <see cref="KeywordBaseline"/> in the same run.
/// Writes JSON to --out and a markdown table beside it (same name, .md).
/// </summary>
public sealed class EvalClassifierCommand(ILogger<EvalClassifierCommand> logger) : ICliCommand
{
    public string Name => "eval-classifier";

    public string Usage =>
        "eval-classifier --data FILE.json[.gz] --train-end YYYY-MM-DD --test-start YYYY-MM-DD --test-end YYYY-MM-DD --out FILE.json [--learners sdca_maxent,lbfgs_maxent] [--include-location] (relative paths are from the repository root)";

    public async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        var a = new CliArgs(args);
        var dataPath = ResolvePath(a.Require("data"));
        var trainEnd = ParseDate(a.Require("train-end"), "train-end");
        var testStart = ParseDate(a.Require("test-start"), "test-start");
        var testEnd = ParseDate(a.Require("test-end"), "test-end");
        var outPath = ResolvePath(a.Require("out"));
        if (testStart <= trainEnd) throw new CliUsageException("--test-start must be after --train-end (a time split never overlaps).");
        if (testEnd < testStart) throw new CliUsageException("--test-end must not be before --test-start.");
        var learners = a.Get("learners")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [.. ClassifierTrainer.Learners];
        foreach (var l in learners)
            if (!ClassifierTrainer.Learners.Contains(l)) throw new CliUsageException($"Unknown learner '{l}'. Known: {string.Join(", ", ClassifierTrainer.Learners)}.");
        var includeLocation = a.Has("include-location");
        if (!File.Exists(dataPath)) throw new CliUsageException($"Data file '{dataPath}' not found.");

        var (examples, skipped) = await LoadExamplesAsync(dataPath, includeLocation, logger, ct);
        var train = examples.Where(e => e.Day <= trainEnd).Select(e => e.Example).ToList();
        var test = examples.Where(e => e.Day >= testStart && e.Day <= testEnd).Select(e => e.Example).ToList();
        var (skippedNotIncident, skippedNoDate, skippedEmpty) = skipped;
        if (train.Count == 0 || test.Count == 0) throw new CliUsageException($"Empty split: {train.Count} training and {test.Count} test examples.");
        logger.LogInformation("{Train} training and {Test} test examples ({NotIncident} non-incidents, {NoDate} undated, {Empty} empty skipped)",
            train.Count, test.Count, skippedNotIncident, skippedNoDate, skippedEmpty);

        var sw = Stopwatch.StartNew();
        var trained = ClassifierTrainer.Train(train, "eval", learners, ct: ct);
        var trainSeconds = sw.Elapsed.TotalSeconds;
        logger.LogInformation("Trained {Model} in {Seconds:F1}s: {Why}", trained.ModelName, trainSeconds, trained.WhyChosen);

        var truth = test.Select(t => t.Category).ToList();
        var threshold = new ClassificationOptions().NeedsReviewThreshold;
        sw.Restart();
        var modelProbs = test.Select(t => trained.Model.Predict(t.Text)).ToList();
        var predictMicros = sw.Elapsed.TotalMilliseconds * 1000 / test.Count;
        var modelMetrics = ClassifierMetrics.Compute(truth, modelProbs, trained.Model.Labels);

        var baseline = new KeywordBaseline(train.Select(t => t.Category));
        var baseMetrics = ClassifierMetrics.Compute(truth, test.Select(t => baseline.Predict(t.Text)).ToList(), baseline.Labels);

        var report = new EvalReport(
            DataFile: Path.GetFileName(dataPath), TrainEnd: trainEnd, TestStart: testStart, TestEnd: testEnd,
            TrainExamples: train.Count, TestExamples: test.Count, IncludeLocation: includeLocation,
            Model: trained.ModelName, WhyChosen: trained.WhyChosen, Temperature: trained.Model.Settings.Temperature,
            TrainSeconds: Math.Round(trainSeconds, 1), MeanPredictMicroseconds: Math.Round(predictMicros, 1),
            Validation: trained.Validation, Test: modelMetrics, KeywordBaseline: baseMetrics,
            MacroF1GainOverBaseline: Math.Round(modelMetrics.MacroF1 - baseMetrics.MacroF1, 4),
            GibberishMeanTopProbability: Gibberish(trained.Model),
            NeedsReviewThreshold: threshold,
            ShareNeedsReview: Math.Round(modelProbs.Count(p => p.Max() < threshold) / (double)test.Count, 4),
            AccuracyWithoutReview: Math.Round(AccuracyWhere(truth, modelProbs, trained.Model.Labels, p => p.Max() >= threshold), 4),
            AccuracyNeedingReview: Math.Round(AccuracyWhere(truth, modelProbs, trained.Model.Labels, p => p.Max() < threshold), 4));

        var dir = Path.GetDirectoryName(Path.GetFullPath(outPath));
        if (dir is not null) Directory.CreateDirectory(dir);
        var json = new JsonSerializerOptions { WriteIndented = true };
        ServiceDefaults.ConfigureJson(json);
        await File.WriteAllTextAsync(outPath, JsonSerializer.Serialize(report, json), ct);
        var md = Markdown(report);
        await File.WriteAllTextAsync(Path.ChangeExtension(outPath, ".md"), md, ct);
        Console.WriteLine(md);
        return 0;
    }

    private sealed record EvalReport(
        string DataFile, DateOnly TrainEnd, DateOnly TestStart, DateOnly TestEnd, int TrainExamples, int TestExamples, bool IncludeLocation,
        string Model, string WhyChosen, double Temperature, double TrainSeconds, double MeanPredictMicroseconds,
        ClassifierMetrics? Validation, ClassifierMetrics Test, ClassifierMetrics KeywordBaseline, double MacroF1GainOverBaseline,
        double GibberishMeanTopProbability, double NeedsReviewThreshold, double ShareNeedsReview, double AccuracyWithoutReview, double AccuracyNeedingReview);

    private static double AccuracyWhere(List<string> truth, List<float[]> probs, IReadOnlyList<string> labels, Func<float[], bool> keep)
    {
        int n = 0, hit = 0;
        for (var i = 0; i < truth.Count; i++)
        {
            if (!keep(probs[i])) continue;
            n++;
            var p = probs[i];
            var best = 0;
            for (var j = 1; j < p.Length; j++) if (p[j] > p[best]) best = j;
            if (labels[best] == truth[i]) hit++;
        }
        return n == 0 ? 0 : hit / (double)n;
    }

    /// <summary>Mean top probability over fixed random letter strings: the model should not be confident about noise.</summary>
    private static double Gibberish(ClassifierModel model)
    {
        var rng = new Random(7);
        const string letters = "abcdefghijklmnopqrstuvwxyzåäö ";
        var tops = Enumerable.Range(0, 200).Select(_ =>
        {
            var s = new string(Enumerable.Range(0, rng.Next(8, 60)).Select(_ => letters[rng.Next(letters.Length)]).ToArray());
            return (double)model.Predict(s).Max();
        }).ToList();
        return Math.Round(tops.Average(), 4);
    }

    private static string Markdown(EvalReport r)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(inv, $"### Classifier evaluation: train ≤ {r.TrainEnd:yyyy-MM-dd} ({r.TrainExamples} events), test {r.TestStart:yyyy-MM-dd}..{r.TestEnd:yyyy-MM-dd} ({r.TestExamples} events)");
        sb.AppendLine();
        sb.AppendLine(inv, $"Model: `{r.Model}`, temperature {r.Temperature:F2}, trained in {r.TrainSeconds:F1} s; mean prediction {r.MeanPredictMicroseconds:F0} µs. Chosen because: {r.WhyChosen}");
        sb.AppendLine();
        sb.AppendLine("| metric | model | keyword baseline |");
        sb.AppendLine("| --- | ---: | ---: |");
        sb.AppendLine(inv, $"| top-1 accuracy | {r.Test.Accuracy:F3} | {r.KeywordBaseline.Accuracy:F3} |");
        sb.AppendLine(inv, $"| top-3 accuracy | {r.Test.Top3Accuracy:F3} | {r.KeywordBaseline.Top3Accuracy:F3} |");
        sb.AppendLine(inv, $"| macro-F1 | {r.Test.MacroF1:F3} | {r.KeywordBaseline.MacroF1:F3} |");
        sb.AppendLine(inv, $"| expected calibration error (15 bins) | {r.Test.ExpectedCalibrationError:F3} | {r.KeywordBaseline.ExpectedCalibrationError:F3} |");
        sb.AppendLine(inv, $"| log-loss | {r.Test.LogLoss:F3} | {r.KeywordBaseline.LogLoss:F3} |");
        sb.AppendLine(inv, $"| mean top probability | {r.Test.MeanTopProbability:F3} | {r.KeywordBaseline.MeanTopProbability:F3} |");
        sb.AppendLine();
        sb.AppendLine(inv, $"Macro-F1 gain over the baseline: {r.MacroF1GainOverBaseline:+0.000;-0.000}. Mean top probability on 200 random letter strings: {r.GibberishMeanTopProbability:F3}.");
        sb.AppendLine();
        sb.AppendLine(inv, $"needs_review (top probability < {r.NeedsReviewThreshold:F2}): {r.ShareNeedsReview:P1} of test events; top-1 accuracy {r.AccuracyWithoutReview:F3} on the rest, {r.AccuracyNeedingReview:F3} on the flagged ones.");
        sb.AppendLine();
        sb.AppendLine("| category | support | model precision | model recall | model F1 | baseline precision | baseline recall | baseline F1 |");
        sb.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        var baseBy = r.KeywordBaseline.PerCategory.ToDictionary(c => c.Category);
        foreach (var c in r.Test.PerCategory.Where(c => c.Support > 0).OrderByDescending(c => c.Support))
        {
            var b = baseBy.GetValueOrDefault(c.Category);
            sb.AppendLine(inv, $"| {c.Category} | {c.Support} | {c.Precision:F3} | {c.Recall:F3} | {c.F1:F3} | {b?.Precision ?? 0:F3} | {b?.Recall ?? 0:F3} | {b?.F1 ?? 0:F3} |");
        }
        return sb.ToString();
    }

    /// <summary>
    /// <c>dotnet run --project src/Halo.Api</c> starts the app in the project folder, so relative paths are taken from
    /// the repository root (the nearest folder above holding Halo.slnx) when there is one, as the documented commands expect.
    /// </summary>
    internal static string ResolvePath(string path)
    {
        if (Path.IsPathRooted(path)) return path;
        for (var d = new DirectoryInfo(Directory.GetCurrentDirectory()); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Halo.slnx"))) return Path.GetFullPath(Path.Combine(d.FullName, path));
        return Path.GetFullPath(path);
    }

    private static DateOnly ParseDate(string s, string name) =>
        DateOnly.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
            ? d : throw new CliUsageException($"--{name} must be a date YYYY-MM-DD, got '{s}'.");

    // The archive writes "2024-09-07 0:41:00 +02:00": hours are not always zero-padded.
    private static readonly string[] PublishedFormats = ["yyyy-MM-dd H:mm:ss zzz", "yyyy-MM-dd HH:mm:ss zzz", "yyyy-MM-dd'T'HH:mm:sszzz"];

    internal static bool TryParsePublished(string? s, out DateTimeOffset value) =>
        DateTimeOffset.TryParseExact(s?.Trim(), PublishedFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out value);

    /// <summary>
    /// Reads a police archive (the API's JSON array, optionally gzipped) into labelled examples with their publication
    /// day (local date as published). Non-incidents (summaries, notices), undated and empty events are counted and skipped.
    /// </summary>
    public static async Task<(List<(LabelledExample Example, DateOnly Day)> Examples, (int NotIncident, int NoDate, int Empty) Skipped)>
        LoadExamplesAsync(string path, bool includeLocation, ILogger? logger, CancellationToken ct)
    {
        var events = await LoadAsync(path, ct);
        var list = new List<(LabelledExample, DateOnly)>(events.Count);
        int notIncident = 0, noDate = 0, empty = 0;
        foreach (var e in events)
        {
            if (e.Type is null) { empty++; continue; }
            var map = HaloTaxonomy.MapPolisenType(e.Type, logger);
            if (!map.IsIncident) { notIncident++; continue; }
            if (!TryParsePublished(e.Datetime, out var published)) { noDate++; continue; }
            var text = ClassificationText.ForPoliceEvent(e.Name, e.Summary, e.Type, includeLocation);
            if (string.IsNullOrWhiteSpace(text)) { empty++; continue; }
            list.Add((new LabelledExample(text, map.Category, published.UtcDateTime, "polisen"), DateOnly.FromDateTime(published.DateTime)));
        }
        return (list, (notIncident, noDate, empty));
    }

    private static async Task<List<PolisenEvent>> LoadAsync(string path, CancellationToken ct)
    {
        await using var file = File.OpenRead(path);
        Stream s = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionMode.Decompress) : file;
        await using (s)
        {
            try
            {
                return await JsonSerializer.DeserializeAsync<List<PolisenEvent>>(s, cancellationToken: ct) ?? [];
            }
            catch (JsonException ex)
            {
                throw new CliUsageException($"'{path}' is not a JSON array of police events: {ex.Message}");
            }
        }
    }
}
