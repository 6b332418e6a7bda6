using System.CommandLine;
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
/// Writes JSON to --out and a markdown table beside it (same name, .md). Relative paths are from the current directory.
/// </summary>
public sealed class EvalClassifierCommand(ILogger<EvalClassifierCommand> logger)
{
    public static Command Create(CliContext cli)
    {
        var data = new Option<string>("--data") { Description = "Police events (the API's JSON array, .gz allowed); relative paths are from the current directory", Required = true, HelpName = "FILE.json[.gz]" };
        var trainEnd = Cli.DateOption("--train-end", "Last publication day of the training events");
        var testStart = Cli.DateOption("--test-start", "First publication day of the test events");
        var testEnd = Cli.DateOption("--test-end", "Last publication day of the test events");
        var outPath = new Option<string>("--out") { Description = "Write the JSON report here and a markdown table beside it (.md)", Required = true, HelpName = "FILE.json" };
        var learners = Cli.ListOption("--learners", $"Candidate learners (default all: {string.Join(",", ClassifierTrainer.Learners)})", "NAME[,NAME]");
        learners.AcceptOnlyFromAmong([.. ClassifierTrainer.Learners]);
        var includeLocation = new Option<bool>("--include-location") { Description = "Let the model read the event's place names too", Arity = ArgumentArity.Zero };
        var command = new Command("eval-classifier",
            "Time-split evaluation of the report classifier on police events, against a keyword baseline (docs/classification.md).")
        {
            data, trainEnd, testStart, testEnd, outPath, learners, includeLocation,
        };
        command.SetAction((p, ct) => cli.RunAsync<EvalClassifierCommand>("eval-classifier", c => c.RunAsync(
            cli.FullPath(p.GetRequiredValue(data)), p.GetValue(trainEnd), p.GetValue(testStart), p.GetValue(testEnd), cli.FullPath(p.GetRequiredValue(outPath)),
            p.GetValue(learners) is { Length: > 0 } l ? l : [.. ClassifierTrainer.Learners], p.GetValue(includeLocation), cli, ct)));
        return command;
    }

    public async Task<int> RunAsync(string dataPath, DateOnly trainEnd, DateOnly testStart, DateOnly testEnd, string outPath,
        IReadOnlyList<string> learners, bool includeLocation, CliContext cli, CancellationToken ct)
    {
        if (testStart <= trainEnd) throw new CliUsageException("--test-start must be after --train-end (a time split never overlaps).");
        if (testEnd < testStart) throw new CliUsageException("--test-end must not be before --test-start.");
        if (!File.Exists(dataPath)) throw new CliUsageException($"Data file '{dataPath}' not found.");
        var sw = Stopwatch.StartNew();
        await cli.Out.WriteLineAsync($"Reading {dataPath} …");
        var (examples, skipped) = await LoadExamplesAsync(dataPath, includeLocation, logger, ct);
        var train = examples.Where(e => e.Day <= trainEnd).Select(e => e.Example).ToList();
        var test = examples.Where(e => e.Day >= testStart && e.Day <= testEnd).Select(e => e.Example).ToList();
        var (skippedNotIncident, skippedNoDate, skippedEmpty) = skipped;
        if (train.Count == 0 || test.Count == 0) throw new CliUsageException($"Empty split: {train.Count} training and {test.Count} test examples.");
        await cli.Out.WriteLineAsync($"{train.Count:N0} training and {test.Count:N0} test examples ({skippedNotIncident:N0} non-incidents, " +
                                     $"{skippedNoDate:N0} undated, {skippedEmpty:N0} empty skipped; {sw.Elapsed.TotalSeconds:F1} s)");

        sw.Restart();
        TrainedClassifier trained;
        // Fitting one learner is one opaque library call: the heartbeat shows it is still going.
        await using (new CliHeartbeat(cli.Out, "training", TimeSpan.FromSeconds(10)))
            trained = await Task.Run(() => ClassifierTrainer.Train(train, "eval", learners, progress: m => cli.Out.WriteLine($"  {m} ({sw.Elapsed.TotalSeconds:F0} s)"), ct: ct), ct);
        var trainSeconds = sw.Elapsed.TotalSeconds;
        await cli.Out.WriteLineAsync($"Trained {trained.ModelName} in {trainSeconds:F1} s: {trained.WhyChosen}");
        await cli.Out.WriteLineAsync($"Scoring {test.Count:N0} test examples …");

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
        await cli.Out.WriteLineAsync(md);
        await cli.Out.WriteLineAsync($"Wrote {outPath} and {Path.ChangeExtension(outPath, ".md")}");
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
            // Unknown types have no trustworthy label: left out like the non-incidents.
            if (!map.IsIncident || map.IsUnknownType) { notIncident++; continue; }
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
