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
public sealed class EvalCommand(SwedishAreas areas, PolisenEventParser parser, IOptions<PredictionOptions> options) : ICliCommand
{
    public string Name => "eval";

    public string Usage =>
        "eval csv FILE[.gz] " + CsvColumns.OptionsUsage + " --start DATE --end DATE [--horizon 1d] [--resolution R] [--out FILE.json] [--validation-days N] [--training-origins N] " + ModelOptionsUsage + "\n" +
        "  eval polisen FILE[.gz] --start DATE --end DATE [--horizon 1d] [--resolution R] [--out FILE.json] [--validation-days N] [--training-origins N] " + ModelOptionsUsage;

    /// <summary>Development knobs: the validation window's sizing and the learned model's settings (defaults = what the app trains).</summary>
    private const string ModelOptionsUsage =
        "[--validation-min-events N] [--validation-max-days N] [--learned-trees N] [--learned-leaves N] [--learned-min-leaf N] [--learned-offset true|false]";

    public async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        var a = new CliArgs(args);
        if (a.Positional.Count != 2) throw new CliUsageException("Give a format (csv or polisen) and one file.");
        var (format, path) = (a.Positional[0].ToLowerInvariant(), a.Positional[1]);
        if (!File.Exists(path)) throw new CliUsageException($"File '{path}' not found.");
        var start = Date(a, "start");
        var end = Date(a, "end");
        if (end <= start) throw new CliUsageException("--end must be after --start.");
        if ((a.Get("horizon") ?? "1d") is not ("1d" or "24h")) throw new CliUsageException("--horizon: only 1d (24 hours from each daily origin) is supported.");
        var resolution = Int(a, "resolution", options.Value.Resolution, 5, 10);
        var validationDays = Int(a, "validation-days", options.Value.ValidationDays, 7, 120);
        var trainingOrigins = Int(a, "training-origins", options.Value.TrainingOrigins, 7, 730);
        var minValidationEvents = Int(a, "validation-min-events", RiskTrainer.DefaultMinValidationEvents, 0, 1_000_000);
        var maxValidationDays = Int(a, "validation-max-days", Math.Max(validationDays, RiskTrainer.DefaultMaxValidationDays), validationDays, 365);
        var defaults = new LearnedRiskModel();
        var trees = Int(a, "learned-trees", defaults.Trees, 10, 2000);
        var leaves = Int(a, "learned-leaves", defaults.Leaves, 2, 128);
        var minLeaf = Int(a, "learned-min-leaf", defaults.MinExamplesPerLeaf, 1, 100_000);
        var offset = (a.Get("learned-offset") ?? (defaults.BaseOffset ? "true" : "false")).ToLowerInvariant() switch
        {
            "true" => true,
            "false" => false,
            _ => throw new CliUsageException("--learned-offset must be true or false."),
        };
        IReadOnlyList<IRiskModel> Candidates() =>
        [
            new TrailingCountModel(), new KdeModel(), new HourOfWeekKdeModel(),
            new LearnedRiskModel
            {
                TrainingOrigins = trainingOrigins, MaxRows = options.Value.MaxTrainingRows,
                Trees = trees, Leaves = leaves, MinExamplesPerLeaf = minLeaf, BaseOffset = offset,
            },
        ];
        var outPath = a.Get("out");
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
                    var columns = CsvColumns.FromArgs(a);
                    zone = columns.TimeZone;
                    var rows = new List<CsvIncidentRecord>();
                    var rejected = 0;
                    await foreach (var r in CsvIncidentReader.ReadAsync(file, columns, ct))
                        if (r.IsValid) rows.Add(r); else rejected++;
                    // Same identity as the importer: the id column, else the row hash, so duplicate rows count once.
                    rows = rows.DistinctBy(r => r.ExternalId).ToList();
                    Console.WriteLine($"Read {rows.Count:N0} events ({rejected:N0} rows rejected) from {path}");
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
                    Console.WriteLine($"Read {incidents.Count:N0} police records ({rejected:N0} rejected); spreading over area cells at resolution {resolution}…");
                    areaCells = AreaCells.For(areas, resolution);
                    events = RiskEvents.From(incidents, resolution, areas, areaCells, categories, options.Value.CoarseAboveM);
                    Console.WriteLine($"{events.Count:N0} events ({events.Count(e => e.IsCoarse):N0} coarse), areas ready in {sw.Elapsed.TotalSeconds:F1} s");
                    break;
                }
                default: throw new CliUsageException($"Unknown format '{format}' (csv or polisen).");
            }
        }
        var before = events.Count(e => e.Ticks < start.Ticks);
        var during = events.Count(e => e.Ticks >= start.Ticks && e.Ticks < end.Ticks);
        if (before == 0 || during == 0) throw new CliUsageException($"Need events before --start and inside the test window (found {before} and {during}).");

        RiskDataset Build(DateTime activeBefore) => new(events, resolution, areaCells, activeBefore, zone, categories.Names);

        Console.WriteLine($"Training and choosing a model on a validation window of {validationDays}–{maxValidationDays} days (≥ {minValidationEvents} events) before {start:yyyy-MM-dd}…");
        var trained = RiskTrainer.Train(Build, start, validationDays, Candidates, Console.WriteLine, ct, refitAll: true,
            minValidationEvents: minValidationEvents, maxValidationDays: maxValidationDays);

        var data = Build(start);
        var space = new CellSpace(data);
        var origins = new List<DateTime>();
        for (var t = start; t < end; t = t.AddDays(1)) origins.Add(t);
        if (trained.AllFitted.OfType<LearnedRiskModel>().FirstOrDefault() is { } lm)
            Console.WriteLine($"Learned model: {lm.LastFitRows.Positive:N0} positive and {lm.LastFitRows.Zero:N0} sampled zero examples, total scale {lm.Scale:0.000}");
        Console.WriteLine($"Backtest: {origins.Count} daily origins, {space.Count:N0} cells (area), {during:N0} events in the window, {before:N0} before it");
        var scores = Backtest.Evaluate(data, space, trained.AllFitted, origins, (done, total) =>
        {
            if (done % 10 == 0 || done == total) Console.WriteLine($"  {done,4}/{total} origins  ({sw.Elapsed.TotalSeconds:F0} s)");
        }, ct);

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
            elapsed_seconds = Math.Round(sw.Elapsed.TotalSeconds, 1),
        };
        var json = JsonSerializer.Serialize(report, Json);
        var md = Markdown(Path.GetFileName(path), start, end, resolution, space.Count, during, trained, scores);
        Console.WriteLine();
        Console.WriteLine(md);
        if (outPath is not null)
        {
            await File.WriteAllTextAsync(outPath, json, ct);
            await File.WriteAllTextAsync(Path.ChangeExtension(outPath, ".md"), md, ct);
            Console.WriteLine($"Wrote {outPath} and {Path.ChangeExtension(outPath, ".md")}");
        }
        return 0;
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

    private static DateTime Date(CliArgs a, string name)
    {
        var raw = a.Require(name);
        return DateTimeOffset.TryParse(raw, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var v)
            ? v.UtcDateTime
            : throw new CliUsageException($"--{name} '{raw}' is not a date (e.g. 2018-01-01).");
    }

    private static int Int(CliArgs a, string name, int fallback, int min, int max)
    {
        var raw = a.Get(name);
        if (raw is null) return fallback;
        return int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max
            ? v : throw new CliUsageException($"--{name} must be a whole number from {min} to {max}.");
    }
}
