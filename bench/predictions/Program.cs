using System.Diagnostics;
using Halo.Api.Features.Geo;
using Halo.Api.Features.Ingestion.Polisen;
using Halo.Api.Features.Predictions.Model;
using Halo.Api.Features.Predictions.Serving;
using Microsoft.Extensions.Logging.Abstractions;

// Training and snapshot benchmarks on 150,000 synthetic Swedish events (docs in bench/RESULTS-predictions.md).
// The generator resamples the shared police events: each synthetic event copies a real event's area, category and
// hour of week, gets a uniformly random day in the two years 2023-2024, and is placed either (half of them) in a random
// res-8 cell of its municipality as a street-level event, or (the other half) kept coarse, spread over its area.
var data = args.Length > 0 ? args[0] : Path.Combine("..", "shared", "data", "polisen", "events-2022-2024.json.gz");
var count = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 150_000;
const int resolution = 8;
var areas = SwedishAreas.Load(Path.Combine("src", "Halo.Api", "Resources"));
var parser = new PolisenEventParser(areas, TimeProvider.System, NullLogger<PolisenEventParser>.Instance);
var sw = Stopwatch.StartNew();
var areaCells = AreaCells.For(areas, resolution);
Console.WriteLine($"Area cells at res {resolution}: {areaCells.MunicipalityOfCell.Count:N0} cells in {sw.Elapsed.TotalSeconds:F1} s");
var real = new List<Halo.Api.Features.Incidents.Incident>();
await using (var file = File.OpenRead(data))
    await foreach (var r in PolisenFileReader.ReadAsync(file, parser))
        if (r.Incident is { IsIncident: true } i) real.Add(i);
var categories = new CategoryIndex();
var baseEvents = RiskEvents.From(real, resolution, areas, areaCells, categories, 2000);
var rng = new Random(42);
var start = new DateTime(2023, 1, 1, 0, 0, 0, DateTimeKind.Utc);
var events = new List<RiskEvent>(count);
for (var i = 0; i < count; i++)
{
    var e = baseEvents[rng.Next(baseEvents.Count)];
    var t = new DateTime(e.Ticks, DateTimeKind.Utc);
    var day = start.AddDays(rng.Next(730));
    var ticks = day.AddDays(((int)t.DayOfWeek - (int)day.DayOfWeek + 7) % 7).Add(t.TimeOfDay).Ticks;
    if (e.IsCoarse && e.Area < areaCells.MunicipalityCount && rng.Next(2) == 0)
    {
        var cells = areaCells.Cells[e.Area];
        events.Add(new RiskEvent(ticks, cells[rng.Next(cells.Length)], -1, e.Category));
    }
    else events.Add(e with { Ticks = ticks });
}
var end = start.AddDays(730);
Console.WriteLine($"{events.Count:N0} synthetic events ({events.Count(e => !e.IsCoarse):N0} street-level), {real.Count:N0} real police events resampled");

var zone = TimeZoneInfo.FindSystemTimeZoneById("Europe/Stockholm");
sw.Restart();
var trained = RiskTrainer.Train(at => new RiskDataset(events, resolution, areaCells, at, zone, categories.Names), end, 28,
    () => RiskTrainer.Candidates(), m => Console.WriteLine($"  [{sw.Elapsed.TotalSeconds,5:F1} s] {m}"));
var trainSeconds = sw.Elapsed.TotalSeconds;
Console.WriteLine($"TRAIN: {trainSeconds:F1} s for {events.Count:N0} events ({RiskTrainer.Candidates().Count} candidates fitted, validation period from {trained.ValidationStart:yyyy-MM-dd}, chosen {trained.Chosen.Name} refitted)");
// Same-run baseline: the same training with one naive candidate, so a slow figure can be told from a slow machine.
sw.Restart();
RiskTrainer.Train(at => new RiskDataset(events, resolution, areaCells, at, zone, categories.Names), end, 28, () => [new TrailingCountModel(365)], _ => { });
Console.WriteLine($"BASELINE: {sw.Elapsed.TotalSeconds:F1} s for the same training with trailing_count_365d as the only candidate");

var dataset = new RiskDataset(events, resolution, areaCells, end, zone, categories.Names);
var model = new ServingModel("bench", trained.Chosen, end, start, end, 1e-3, trained.WhyChosen, trained.ValidationStart, []);
foreach (var run in Enumerable.Range(1, 3))
{
    sw.Restart();
    var snapshot = RiskModelService.BuildSnapshot(model, dataset, end, end);
    Console.WriteLine($"SNAPSHOT run {run}: {sw.Elapsed.TotalSeconds:F2} s for {snapshot.Count:N0} active cells x 24 hours ({trained.Chosen.Name})");
}
var learned = trained.AllFitted.FirstOrDefault(m => m is LearnedRiskModel) ?? RiskTrainer.Candidates().First(m => m is LearnedRiskModel);
if (learned is LearnedRiskModel { Artifact: null } l) l.Fit(dataset.At(end), CancellationToken.None);
sw.Restart();
var s2 = RiskModelService.BuildSnapshot(model with { Model = learned }, dataset, end, end);
Console.WriteLine($"SNAPSHOT learned: {sw.Elapsed.TotalSeconds:F2} s for {s2.Count:N0} active cells x 24 hours (fasttree_tweedie)");
