using System.Globalization;
using System.Text;
using System.Text.Json;
using Halo.Api.Data;
using Halo.Api.Features.Geo;
using Halo.Api.Features.Incidents;
using Halo.Api.Features.ModelRegistry;
using Halo.Api.Features.Predictions.Model;
using Halo.Api.Features.Training;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Halo.Api.Features.Predictions.Serving;

/// <summary>
/// Trains risk models into the registry (kind <c>risk</c>), serves the newest one and keeps its forecast snapshot
/// current. Trainings are serialised; the snapshot is swapped atomically (one reference write), so readers always see
/// a whole snapshot, and a failed training leaves the previous model serving and records the error on its row.
/// </summary>
public sealed class RiskModelService(
    IServiceScopeFactory scopes, TimeProvider clock, IOptions<PredictionOptions> options, SwedishAreas areas,
    ILogger<RiskModelService> logger, Live.ILiveNotifications live)
{
    private ServingModel? _model;
    private PredictionSnapshot? _snapshot;
    private readonly SemaphoreSlim _trainLock = new(1, 1);
    private readonly SemaphoreSlim _buildLock = new(1, 1);

    public PredictionSnapshot? Current => Volatile.Read(ref _snapshot);
    public ServingModel? Model => Volatile.Read(ref _model);

    /// <summary>Lowest risk_score of each level, with map colours.</summary>
    public IReadOnlyList<RiskLevelDto> Levels =>
    [
        new("low", 0, "#2e7d32"), new("medium", options.Value.MediumFrom, "#f9a825"),
        new("high", options.Value.HighFrom, "#ef6c00"), new("critical", options.Value.CriticalFrom, "#c62828"),
    ];

    public string Level(double score) =>
        score >= options.Value.CriticalFrom ? "critical" : score >= options.Value.HighFrom ? "high" : score >= options.Value.MediumFrom ? "medium" : "low";

    /// <summary>Trains, stores and serves a new risk model. Throws (after recording the failure) when training fails.</summary>
    public async Task<ModelVersion> RetrainAsync(string version, CancellationToken ct)
    {
        await _trainLock.WaitAsync(ct);
        try
        {
            var o = options.Value;
            var now = clock.GetUtcNow().UtcDateTime;
            using var scope = scopes.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<HaloDbContext>();
            var end = await HistoryEndAsync(db, now, ct);
            var from = end.AddDays(-o.TrainingWindowDays);
            var row = new ModelVersion
            {
                Id = Guid.NewGuid(), Kind = ModelKinds.Risk, Version = version, TrainedAt = now, DataFrom = from, DataTo = end, Status = ModelStatus.Training,
            };
            db.Add(row);
            await db.SaveChangesAsync(ct);
            try
            {
                var (events, areaCells, categories) = await LoadEventsAsync(db, from, end, ct);
                row.ExampleCount = events.Count;
                if (events.Count < o.MinTrainingEvents)
                    throw new TooLittleDataException($"Only {events.Count} events between {from:u} and {end:u}; at least {o.MinTrainingEvents} are needed to train a risk model.");
                var zone = o.TimeZone();
                RiskDataset Build(DateTime activeBefore) => new(events, o.Resolution, areaCells, activeBefore, zone, categories.Names);
                var trained = await Task.Run(() => RiskTrainer.Train(Build, end, o.ValidationDays,
                    () => RiskTrainer.Candidates(o.TrainingOrigins, o.MaxTrainingRows), m => logger.LogInformation("{Message}", m), ct), ct);
                var validation = trained.Validation.Select(ToDto).ToList();
                var provisional = new ServingModel(version, trained.Chosen, now, from, end, 1, trained.WhyChosen, trained.ValidationStart, validation);
                var snapshot = await Task.Run(() => BuildSnapshot(provisional, events, areaCells, categories, end, now), ct);
                var reference = o.ReferenceRate > 0 ? o.ReferenceRate : ReferenceRateOf(snapshot);
                var serving = provisional with { ReferenceRate = reference };
                snapshot = await Task.Run(() => BuildSnapshot(serving, events, areaCells, categories, end, now), ct);

                row.ModelName = trained.Chosen.Name;
                row.WhyChosen = trained.WhyChosen.Length > 2000 ? trained.WhyChosen[..2000] : trained.WhyChosen;
                row.MetricsJson = JsonSerializer.Serialize(new
                {
                    validation_from = trained.ValidationStart, validation_to = end, validation,
                    validation_events = trained.Validation.Count > 0 ? trained.Validation[0].ObservedTotal : 0,
                    windows = trained.Windows.Select(w => new { from = w.From, days = w.Days, events = w.Scores.Count > 0 ? w.Scores[0].ObservedTotal : 0, scores = w.Scores.Select(ToDto) }),
                    comparisons = trained.Comparisons, candidate_settings = trained.CandidateSettings,
                }, Json);
                row.SettingsJson = JsonSerializer.Serialize(new RiskSettings(trained.Chosen.Name, o.Resolution, reference,
                    (trained.Chosen as LearnedRiskModel)?.Scale ?? 1, trained.Chosen.Settings, trained.ValidationStart), Json);
                row.Artifact = trained.Chosen.Artifact ?? Encoding.UTF8.GetBytes(trained.Chosen.Settings);
                row.Status = ModelStatus.Ready;
                await db.SaveChangesAsync(CancellationToken.None);
                Volatile.Write(ref _model, serving);
                Volatile.Write(ref _snapshot, snapshot);
                live.PredictionsUpdated(serving.Version, snapshot.ComputedAt);
                logger.LogInformation("Risk model {Version} ({Model}) trained on {Count} events; serving {Cells} cells", version, trained.Chosen.Name, events.Count, snapshot.Count);
                return row;
            }
            catch (Exception ex)
            {
                row.MarkFailed(ex);
                await db.SaveChangesAsync(CancellationToken.None);
                throw;
            }
        }
        finally
        {
            _trainLock.Release();
        }
    }

    /// <summary>Serves the newest ready risk model in the registry; false when there is none (or it cannot be read).</summary>
    public async Task<bool> LoadLatestAsync(CancellationToken ct)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<HaloDbContext>();
        if (_trainLock.CurrentCount == 1)
        {
            await db.Set<ModelVersion>().Where(m => m.Kind == ModelKinds.Risk && m.Status == ModelStatus.Training)
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.Status, ModelStatus.Failed)
                    .SetProperty(m => m.Error, "Interrupted: the process stopped during training."), ct);
        }
        var latest = await db.LatestReadyAsync(ModelKinds.Risk, ct);
        if (latest is null) return false;
        try
        {
            var settings = JsonSerializer.Deserialize<RiskSettings>(latest.SettingsJson ?? "", Json) ?? throw new JsonException("No settings.");
            IRiskModel model = settings.ModelName switch
            {
                TrailingCountModel.ModelName => new TrailingCountModel(365),
                TrailingCountModel.Name730 => new TrailingCountModel(730),
                TrailingCountModel.NameAll => new TrailingCountModel(null),
                KdeModel.ModelName => new KdeModel(),
                KdeGridModel.ModelName => RestoreKde(settings.ModelSettings),
                HawkesModel.ModelName => HawkesModel.FromSettings(settings.ModelSettings),
                HourOfWeekKdeModel.ModelName => new HourOfWeekKdeModel(),
                LearnedRiskModel.ModelName => LearnedRiskModel.Load(latest.Artifact!, settings.Scale),
                _ => throw new InvalidDataException($"Unknown risk model '{settings.ModelName}'."),
            };
            var metrics = latest.MetricsJson is null ? null : JsonSerializer.Deserialize<StoredMetrics>(latest.MetricsJson, Json);
            Volatile.Write(ref _model, new ServingModel(latest.Version, model, latest.TrainedAt, latest.DataFrom, latest.DataTo,
                settings.ReferenceRate, latest.WhyChosen, settings.ValidationFrom, metrics?.Validation ?? []));
            logger.LogInformation("Serving risk model {Version} ({Model})", latest.Version, settings.ModelName);
        }
        catch (Exception ex) when (ex is InvalidDataException or JsonException or InvalidOperationException or FormatException)
        {
            logger.LogError(ex, "Risk model {Version} in the registry cannot be loaded; it will be retrained", latest.Version);
            return false;
        }
        await RefreshAsync(ct);
        return true;
    }

    /// <summary>Rebuilds the snapshot for the current hour with the serving model (hourly, and at start).</summary>
    public async Task RefreshAsync(CancellationToken ct)
    {
        var model = Model;
        if (model is null) return;
        await _buildLock.WaitAsync(ct);
        try
        {
            var now = clock.GetUtcNow().UtcDateTime;
            using var scope = scopes.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<HaloDbContext>();
            var end = await HistoryEndAsync(db, now, ct);
            var (events, areaCells, categories) = await LoadEventsAsync(db, end.AddDays(-400), end, ct);
            var snapshot = await Task.Run(() => BuildSnapshot(model, events, areaCells, categories, end, now), ct);
            // A training that finished meanwhile has already swapped in a newer model: keep its snapshot.
            if (ReferenceEquals(Model, model))
            {
                Volatile.Write(ref _snapshot, snapshot);
                live.PredictionsUpdated(model.Version, snapshot.ComputedAt);
            }
        }
        finally
        {
            _buildLock.Release();
        }
    }

    /// <summary>
    /// Forecasts for the 24 hours from the current hour. Features look back from the end of the data (now, or the last
    /// event when the store holds only older data); the hours' profile is that of the hours being forecast.
    /// </summary>
    internal PredictionSnapshot BuildSnapshot(ServingModel model, List<RiskEvent> events, AreaCells? areaCells, CategoryIndex categories,
        DateTime historyEnd, DateTime now)
    {
        var o = options.Value;
        var data = new RiskDataset(events, o.Resolution, areaCells, historyEnd, o.TimeZone(), categories.Names);
        return BuildSnapshot(model, data, historyEnd, now);
    }

    public static PredictionSnapshot BuildSnapshot(ServingModel model, RiskDataset data, DateTime historyEnd, DateTime now)
    {
        var origin = new DateTime(now.Ticks - now.Ticks % TimeSpan.TicksPerHour, DateTimeKind.Utc);
        var space = new CellSpace(data);
        var view = data.At(historyEnd);
        var profile = HourProfile.Fit(view);
        var features = UnitFeatures.Compute(view, profile);
        var forecast = model.Model.Predict(view, features, profile);
        var daily = space.CellDaily(forecast, data);
        // Whatever model decides where, the hours served are the fitted hour-of-week profile's split of the 24 hours being
        // forecast (every model's own shape is that profile at its origin; here the hours are those from now).
        var shape = profile.Shape(origin);
        return new PredictionSnapshot(model, data, space, features, profile, daily, shape, origin, historyEnd, now);
    }

    /// <summary>
    /// λ_ref: the cell-hour rate above which the top 5 % of the expected events lie (an event-weighted 95th percentile
    /// of the rates served right after training). A plain percentile over cells would be set by the empty countryside:
    /// with coarse police data most cells are rural and tiny, and every city cell would be "critical".
    /// </summary>
    internal static double ReferenceRateOf(PredictionSnapshot s)
    {
        if (s.Expected.Length == 0) return 1e-3;
        var sorted = (float[])s.Expected.Clone();
        Array.Sort(sorted);
        var total = 0.0;
        foreach (var v in sorted) total += v;
        var acc = 0.0;
        for (var i = sorted.Length - 1; i >= 0; i--)
        {
            acc += sorted[i];
            if (acc >= 0.05 * total) return Math.Max(1e-9, sorted[i]);
        }
        return Math.Max(1e-9, sorted[^1]);
    }

    /// <summary>Where forecasts start from: now, or just after the newest event when the data ends earlier (e.g. only the bundled sample).</summary>
    private static async Task<DateTime> HistoryEndAsync(HaloDbContext db, DateTime now, CancellationToken ct)
    {
        var newest = await db.Incidents.AsNoTracking()
            .Where(i => i.IsIncident && i.OccurredAt <= now)
            .OrderByDescending(i => i.OccurredAt).Select(i => (DateTime?)i.OccurredAt).FirstOrDefaultAsync(ct);
        if (newest is null) return now;
        var afterNewest = DateTime.SpecifyKind(newest.Value, DateTimeKind.Utc).AddTicks(1);
        return now - afterNewest < TimeSpan.FromDays(1) ? now : afterNewest;
    }

    private async Task<(List<RiskEvent>, AreaCells?, CategoryIndex)> LoadEventsAsync(HaloDbContext db, DateTime from, DateTime to, CancellationToken ct)
    {
        var o = options.Value;
        var rows = await db.Incidents.AsNoTracking()
            .Where(i => i.IsIncident && i.Status != IncidentStatus.Rejected && i.Status != IncidentStatus.Deleted && i.OccurredAt >= from && i.OccurredAt < to)
            .Select(i => new RiskIncident(i.OccurredAt, i.Latitude, i.Longitude, i.LocationName, i.LocationPrecisionM, i.Category))
            .ToListAsync(ct);
        // Area cells cost seconds at resolution 8: only build them when some event needs spreading.
        var areaCells = rows.Any(r => r.PrecisionM > o.CoarseAboveM) ? await Task.Run(() => AreaCells.For(areas, o.Resolution), ct) : null;
        var categories = new CategoryIndex();
        return (RiskEvents.From(rows, o.Resolution, areas, areaCells, categories, o.CoarseAboveM), areaCells, categories);
    }

    private static KdeGridModel RestoreKde(string settings)
    {
        using var doc = JsonDocument.Parse(settings);
        return KdeGridModel.Restore(doc.RootElement.GetProperty("mean_life_days").GetDouble(), doc.RootElement.GetProperty("bandwidth").GetInt32());
    }

    public static ModelMetricsDto ToDto(ModelScore s) => new(s.Name, s.HitRateAt, s.PaiAt, s.PeiAt, s.MeanLogLikelihood);

    public string NewVersion() =>
        string.Create(CultureInfo.InvariantCulture, $"risk-{clock.GetUtcNow():yyyyMMdd'T'HHmmss'Z'}-{Guid.NewGuid():N}")[..30];

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private sealed record RiskSettings(string ModelName, int Resolution, double ReferenceRate, double Scale, string ModelSettings, DateTime? ValidationFrom);
    private sealed record StoredMetrics(DateTime? ValidationFrom, List<ModelMetricsDto>? Validation);
}
