using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Halo.Api.Features.Geo;
using Halo.Api.Features.Incidents;
using Halo.Api.Features.Ingestion.Csv;
using Halo.Api.Features.Ingestion.Polisen;
using Halo.Api.Features.Predictions.Model;
using Halo.Api.Infrastructure;
using Microsoft.Extensions.Options;

namespace Halo.Api.Features.Predictions.Eval;

/// <summary>
/// <c>eval csv FILE … --start --end</c> and <c>eval polisen FILE --start --end</c>: a rolling-origin backtest of every
/// risk model side by side. Models are fitted on the data before <c>--start</c> (the model choice is made on the
/// validation window just before it, never on the test window); at each daily origin of the test window every model
/// forecasts the next 24 hours from the data before that origin only. Writes JSON (<c>--out</c>) and a markdown table
/// next to it.
/// </summary>
public sealed class EvalCommand(SwedishAreas areas, PolisenEventParser parser, IOptions<PredictionOptions> options)
{
    /// <summary>What one backtest run is asked to do; null numbers take the app's settings (Predictions:…).</summary>
    public sealed record Request(
        string Format, string Path, DateTime Start, DateTime End, int? Resolution, string? OutPath, int? ValidationDays, int? TrainingOrigins,
        int MinValidationEvents, int? MaxValidationDays, int? Trees, int? Leaves, int? MinLeaf, bool? Offset,
        CsvColumns? Columns = null, CsvCategoryFilter? Filter = null);

    public static Command Create(CliContext cli)
    {
        var start = Day("--start", "First day of the test window (UTC)");
        var end = Day("--end", "Day after the test window (UTC)");
        var horizon = new Option<string>("--horizon") { Description = "Forecast horizon from each daily origin: only 1d (the next 24 hours)", DefaultValueFactory = _ => "1d" };
        horizon.AcceptOnlyFromAmong("1d", "24h");
        var resolution = Cli.IntOption("--resolution", "H3 resolution of the cells", "Predictions:Resolution", 5, 10);
        var outPath = new Option<string>("--out") { Description = "Write the JSON report here and a markdown table beside it (.md)", HelpName = "FILE.json" };
        var validationDays = Cli.IntOption("--validation-days", "Days of the validation window the model is chosen on", "Predictions:ValidationDays", 7, 120);
        var trainingOrigins = Cli.IntOption("--training-origins", "Daily origins the learned model takes examples from", "Predictions:TrainingOrigins", 7, 730);
        var minValidationEvents = Cli.IntOption("--validation-min-events", "Events the validation window must hold (it grows until it does)", RiskTrainer.DefaultMinValidationEvents, 0, 1_000_000);
        var maxValidationDays = Cli.IntOption("--validation-max-days", "Longest validation window", $"max(--validation-days, {RiskTrainer.DefaultMaxValidationDays})", 7, 1460);
        var defaults = new LearnedRiskModel();
        var trees = Cli.IntOption("--learned-trees", "Learned model: trees", defaults.Trees.ToString(CultureInfo.InvariantCulture), 10, 2000);
        var leaves = Cli.IntOption("--learned-leaves", "Learned model: leaves per tree", defaults.Leaves.ToString(CultureInfo.InvariantCulture), 2, 128);
        var minLeaf = Cli.IntOption("--learned-min-leaf", "Learned model: examples per leaf at least", defaults.MinExamplesPerLeaf.ToString(CultureInfo.InvariantCulture), 1, 100_000);
        var offset = new Option<bool?>("--learned-offset") { Description = $"Learned model: fit on top of the baseline rate (true|false, default {(defaults.BaseOffset ? "true" : "false")})", HelpName = "true|false" };
        Option[] shared = [start, end, horizon, resolution, outPath, validationDays, trainingOrigins, minValidationEvents, maxValidationDays, trees, leaves, minLeaf, offset];

        Request Read(ParseResult p, string format, string path) => new(format, cli.FullPath(path), p.GetRequiredValue(start), p.GetRequiredValue(end),
            p.GetValue(resolution), p.GetValue(outPath) is { } o ? cli.FullPath(o) : null, p.GetValue(validationDays), p.GetValue(trainingOrigins),
            p.GetValue(minValidationEvents), p.GetValue(maxValidationDays), p.GetValue(trees), p.GetValue(leaves), p.GetValue(minLeaf), p.GetValue(offset));

        var csvFile = Cli.FileArgument("Open crime data: a CSV file with a header row, optionally gzipped");
        var columns = new CsvColumnOptions();
        var csv = new Command("csv", "Backtest on an open crime-data CSV.") { csvFile };
        columns.AddTo(csv);
        var polisenFile = Cli.FileArgument("Police events: the API's JSON array, optionally gzipped");
        var polisen = new Command("polisen", "Backtest on a Swedish Police events file (positions spread over their areas).") { polisenFile };
        foreach (var o in shared) { csv.Options.Add(o); polisen.Options.Add(o); }
        csv.SetAction((p, ct) => cli.RunAsync<EvalCommand>("eval csv", c =>
        {
            var cols = columns.Columns(p, cli);
            return c.RunAsync(Read(p, "csv", p.GetRequiredValue(csvFile)) with { Columns = cols, Filter = columns.Filter(p, cols) }, cli, ct);
        }));
        polisen.SetAction((p, ct) => cli.RunAsync<EvalCommand>("eval polisen", c => c.RunAsync(Read(p, "polisen", p.GetRequiredValue(polisenFile)), cli, ct)));

        return new Command("eval", "Rolling-origin backtest of every risk model side by side (docs/predictions.md).") { csv, polisen };
    }

    private static Option<DateTime> Day(string name, string description) => new(name)
    {
        Description = description + " (e.g. 2018-01-01)",
        Required = true,
        HelpName = "DATE",
        CustomParser = r =>
        {
            var raw = r.Tokens.Count == 1 ? r.Tokens[0].Value : "";
            if (DateTimeOffset.TryParse(raw, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var v)) return v.UtcDateTime;
            r.AddError($"{name} '{raw}' is not a date (e.g. 2018-01-01).");
            return default;
        },
    };

    public async Task<int> RunAsync(Request q, CliContext cli, CancellationToken ct)
    {
        var (format, path, start, end) = (q.Format, q.Path, q.Start, q.End);
        if (!File.Exists(path)) throw new CliUsageException($"File '{path}' not found.");
        if (end <= start) throw new CliUsageException("--end must be after --start.");
        var resolution = q.Resolution ?? options.Value.Resolution;
        var validationDays = q.ValidationDays ?? options.Value.ValidationDays;
        var trainingOrigins = q.TrainingOrigins ?? options.Value.TrainingOrigins;
        var minValidationEvents = q.MinValidationEvents;
        var maxValidationDays = q.MaxValidationDays ?? Math.Max(validationDays, RiskTrainer.DefaultMaxValidationDays);
        if (maxValidationDays < validationDays) throw new CliUsageException($"--validation-max-days must be at least --validation-days ({validationDays}).");
        var defaults = new LearnedRiskModel();
        var trees = q.Trees ?? defaults.Trees;
        var leaves = q.Leaves ?? defaults.Leaves;
        var minLeaf = q.MinLeaf ?? defaults.MinExamplesPerLeaf;
        var offset = q.Offset ?? defaults.BaseOffset;
        IReadOnlyList<IRiskModel> Candidates() =>
        [
            new TrailingCountModel(365), new TrailingCountModel(730), new TrailingCountModel(null), new KdeModel(), new KdeGridModel(), new HourOfWeekKdeModel(),
            new LearnedRiskModel
            {
                TrainingOrigins = trainingOrigins, MaxRows = options.Value.MaxTrainingRows,
                Trees = trees, Leaves = leaves, MinExamplesPerLeaf = minLeaf, BaseOffset = offset,
            },
            new HawkesModel(),
        ];
        var outPath = q.OutPath;
        var sw = Stopwatch.StartNew();

        var categories = new CategoryIndex();
        List<RiskEvent> events;
        TimeZoneInfo zone;
        AreaCells? areaCells = null;
        await using (var file = File.OpenRead(path))
        {
            switch (format)
            {
                case "csv":
                {
                    var columns = q.Columns!;
                    zone = columns.TimeZone;
                    var rows = new List<CsvIncidentRecord>();
                    var rejected = 0;
                    await foreach (var r in CsvIncidentReader.ReadAsync(file, columns, ct))
                    {
                        if (q.Filter is { } f && !f.Keep(r)) continue;
                        if (r.IsValid) rows.Add(r); else rejected++;
                        if ((rows.Count + rejected) % 100_000 == 0) await cli.Out.WriteLineAsync($"  {rows.Count + rejected:N0} rows read ({sw.Elapsed.TotalSeconds:F0} s)");
                    }
                    if (q.Filter is { IsActive: true } filter)
                    {
                        await cli.Out.WriteLineAsync($"Filter: {filter.Kept:N0} rows kept, {filter.Dropped:N0} left out.");
                        filter.EnsureEveryValueMatched();
                    }
                    // Same identity as the importer: the id column, else the row hash, so duplicate rows count once.
                    rows = rows.DistinctBy(r => r.ExternalId).ToList();
                    cli.Out.WriteLine($"Read {rows.Count:N0} events ({rejected:N0} rows rejected) from {path}");
                    events = rows.Select(r => new RiskEvent(r.OccurredAt.Ticks,
                        Halo.H3.H3.LatLngToCell(r.Latitude, r.Longitude, resolution).Value, -1, categories.Of(r.Category))).ToList();
                    break;
                }
                case "polisen":
                {
                    zone = options.Value.TimeZone();
                    var incidents = new List<Incident>();
                    var rejected = 0;
                    await foreach (var r in PolisenFileReader.ReadAsync(file, parser, ct))
                        if (r.Incident is { } i) incidents.Add(i); else rejected++;
                    incidents = incidents.DistinctBy(i => i.ExternalId).ToList();
                    cli.Out.WriteLine($"Read {incidents.Count:N0} police records ({rejected:N0} rejected); spreading over area cells at resolution {resolution}…");
                    areaCells = AreaCells.For(areas, resolution);
                    events = RiskEvents.From(incidents, resolution, areas, areaCells, categories, options.Value.CoarseAboveM);
                    cli.Out.WriteLine($"{events.Count:N0} events ({events.Count(e => e.IsCoarse):N0} coarse), areas ready in {sw.Elapsed.TotalSeconds:F1} s");
                    break;
                }
                default: throw new CliUsageException($"Unknown format '{format}' (csv or polisen).");
            }
        }
        var before = events.Count(e => e.Ticks < start.Ticks);
        var during = events.Count(e => e.Ticks >= start.Ticks && e.Ticks < end.Ticks);
        if (before == 0 || during == 0) throw new CliUsageException($"Need events before --start and inside the test window (found {before} and {during}).");

        RiskDataset Build(DateTime activeBefore) => new(events, resolution, areaCells, activeBefore, zone, categories.Names);

        cli.Out.WriteLine($"Training and choosing a model on a validation window of {validationDays}–{maxValidationDays} days (≥ {minValidationEvents} events) before {start:yyyy-MM-dd}…");
        TrainedRisk trained;
        await using (new CliHeartbeat(cli.Out, "training", TimeSpan.FromSeconds(15)))
            trained = await Task.Run(() => RiskTrainer.Train(Build, start, validationDays, Candidates, cli.Out.WriteLine, ct, refitAll: true,
                minValidationEvents: minValidationEvents, maxValidationDays: maxValidationDays), ct);

        var data = Build(start);
        var space = new CellSpace(data);
        var origins = new List<DateTime>();
        for (var t = start; t < end; t = t.AddDays(1)) origins.Add(t);
        if (trained.AllFitted.OfType<LearnedRiskModel>().FirstOrDefault() is { } lm)
            cli.Out.WriteLine($"Learned model: {lm.LastFitRows.Positive:N0} positive and {lm.LastFitRows.Zero:N0} sampled zero examples, total scale {lm.Scale:0.000}");
        cli.Out.WriteLine($"Backtest: {origins.Count} daily origins, {space.Count:N0} cells (area), {during:N0} events in the window, {before:N0} before it");
        var daily = new DailyScores();
        var scores = Backtest.Evaluate(data, space, trained.AllFitted, origins, (done, total) =>
        {
            if (done % 10 == 0 || done == total) cli.Out.WriteLine($"  {done,4}/{total} origins  ({sw.Elapsed.TotalSeconds:F0} s)");
        }, ct, daily);
        var versus = ServedVersusBestNaive(trained.Chosen.Name, scores, daily, space.Count);

        var report = new
        {
            dataset = Path.GetFileName(path),
            format,
            window = new { start, end, origins = origins.Count, horizon = "1d", resolution, time_zone = zone.Id },
            area_cells = space.Count,
            events_before_window = before,
            events_in_window = during,
            chosen = new { name = trained.Chosen.Name, why = trained.WhyChosen, validation_start = trained.ValidationStart, validation = trained.Validation },
            learned_settings = trained.AllFitted.OfType<LearnedRiskModel>().FirstOrDefault()?.Settings,
            models = scores,
            served_vs_best_naive = versus,
            elapsed_seconds = Math.Round(sw.Elapsed.TotalSeconds, 1),
        };
        var json = JsonSerializer.Serialize(report, Json);
        var md = Markdown(Path.GetFileName(path), start, end, resolution, space.Count, during, trained, scores) + versus?.Markdown;
        cli.Out.WriteLine();
        cli.Out.WriteLine(md);
        if (outPath is not null)
        {
            await File.WriteAllTextAsync(outPath, json, ct);
            await File.WriteAllTextAsync(Path.ChangeExtension(outPath, ".md"), md, ct);
            cli.Out.WriteLine($"Wrote {outPath} and {Path.ChangeExtension(outPath, ".md")}");
        }
        return 0;
    }

    /// <summary>The served model against the best naive forecast of the test window on each measure (paired bootstrap over test days).</summary>
    public sealed record Versus(string Served, string BestNaivePai5, double Pai5Ratio, PairedComparison VersusBestPai, string BestNaiveLogLikelihood,
        PairedComparison VersusBestLogLikelihood, bool BestLogLikelihoodOfAll)
    {
        [System.Text.Json.Serialization.JsonIgnore]
        public string Markdown => string.Create(CultureInfo.InvariantCulture,
            $"\nServed `{Served}` vs the best naive forecast of the test window: PAI@5 {Pai5Ratio:0.000}× `{BestNaivePai5}` (difference {VersusBestPai.Pai5Diff:+0.000;-0.000}, bootstrap 90 % interval {VersusBestPai.Pai5P05:+0.000;-0.000} … {VersusBestPai.Pai5P95:+0.000;-0.000} over {VersusBestPai.Days} days; significant at 95 % one-sided: {(VersusBestPai.Pai5P05 > 0 ? "yes" : "no")}); mean log-likelihood vs `{BestNaiveLogLikelihood}` {VersusBestLogLikelihood.LogLikDiff:+0.000e+0;-0.000e+0} ({VersusBestLogLikelihood.LogLikP05:+0.000e+0;-0.000e+0} … {VersusBestLogLikelihood.LogLikP95:+0.000e+0;-0.000e+0}); best mean log-likelihood of all models: {(BestLogLikelihoodOfAll ? "yes" : "no")}.\n");
    }

    public static Versus? ServedVersusBestNaive(string served, IReadOnlyList<ModelScore> scores, DailyScores daily, int cells)
    {
        var s = scores.ToList().FindIndex(x => x.Name == served);
        var naive = Enumerable.Range(0, scores.Count).Where(i => !RiskTrainer.IsChallenger(scores[i].Name)).ToList();
        if (s < 0 || naive.Count == 0) return null;
        var bestPai = naive.MaxBy(i => scores[i].PaiAt["5"]);
        var bestLl = naive.MaxBy(i => scores[i].MeanLogLikelihood);
        var ratio = scores[bestPai].PaiAt["5"] == 0 ? 0 : scores[s].PaiAt["5"] / scores[bestPai].PaiAt["5"];
        return new Versus(served, scores[bestPai].Name, Math.Round(ratio, 4), daily.Compare(s, bestPai, cells), scores[bestLl].Name,
            daily.Compare(s, bestLl, cells), scores.All(x => x.MeanLogLikelihood <= scores[s].MeanLogLikelihood));
    }

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };

    public static string Markdown(string dataset, DateTime start, DateTime end, int resolution, int cells, int events, TrainedRisk trained, IReadOnlyList<ModelScore> scores)
    {
        var sb = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        sb.AppendLine(inv, $"**{dataset}**, test window {start:yyyy-MM-dd} – {end:yyyy-MM-dd} (daily origins, next 24 h), H3 resolution {resolution}, {cells:N0} cells, {events:N0} events.");
        sb.AppendLine();
        sb.AppendLine("| model | hit@1% | hit@5% | hit@10% | hit@20% | PAI@1% | PAI@5% | PAI@10% | PAI@20% | PEI@5% | PEI@20% | mean LL / cell-hour | predicted / observed |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var s in scores)
        {
            var name = s.Name == trained.Chosen.Name ? $"**{s.Name}** (chosen)" : s.Name;
            sb.AppendLine(inv, $"| {name} | {s.HitRateAt["1"]:0.000} | {s.HitRateAt["5"]:0.000} | {s.HitRateAt["10"]:0.000} | {s.HitRateAt["20"]:0.000} | {s.PaiAt["1"]:0.00} | {s.PaiAt["5"]:0.00} | {s.PaiAt["10"]:0.00} | {s.PaiAt["20"]:0.00} | {s.PeiAt["5"]:0.000} | {s.PeiAt["20"]:0.000} | {s.MeanLogLikelihood:0.00000e+0} | {s.PredictedTotal:0} / {s.ObservedTotal:0} |");
        }
        sb.AppendLine();
        sb.AppendLine("Chosen on the validation window before the test window: " + trained.WhyChosen);
        return sb.ToString();
    }
}
