using System.Globalization;
using System.Text.Json;
using Halo.Api.Data;
using Halo.Api.Features.ModelRegistry;
using Halo.Api.Features.Taxonomy;
using Halo.Api.Features.Training;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Halo.Api.Features.Classification;

/// <summary>
/// Serves the current classifier and retrains it. The serving model is an immutable <see cref="ClassifierModel"/>
/// swapped with one atomic reference write, so requests keep being answered by the old model while a retrain runs
/// and never see a half-built one. Retrains are serialised; each one stores a <see cref="ModelVersion"/> row.
/// The daily retrain job calls <see cref="RetrainAsync(CancellationToken)"/>.
/// </summary>
public sealed class ClassifierService(
    IServiceScopeFactory scopes, TimeProvider clock, IOptions<ClassificationOptions> options,
    IHostApplicationLifetime lifetime, ILogger<ClassifierService> logger)
{
    private ClassifierModel? _current;
    private readonly SemaphoreSlim _trainLock = new(1, 1);
    private volatile string? _trainingVersion;

    /// <summary>The model answering requests now; null until the first one is loaded or trained.</summary>
    public ClassifierModel? Current => Volatile.Read(ref _current);

    /// <summary>The version being trained now, if any.</summary>
    public string? TrainingVersion => _trainingVersion;

    /// <summary>Makes <paramref name="model"/> the serving model (atomic; in-flight requests finish on the old one).</summary>
    public void Serve(ClassifierModel model) => Interlocked.Exchange(ref _current, model);

    /// <summary>Classifies a validated request; null when no model is ready yet.</summary>
    public ClassifyResponse? Classify(ClassifyRequest request)
    {
        var model = Current;
        if (model is null) return null;
        var description = request.Description!;
        var p = model.Predict(description);
        var k = Math.Min(request.TopK ?? options.Value.DefaultTopK, p.Length);
        var top = Enumerable.Range(0, p.Length).OrderByDescending(i => p[i]).Take(k)
            // Rounded down, so the returned probabilities never sum above 1.
            .Select(i => new CategoryProbability(model.Labels[i], Math.Floor(p[i] * 10_000) / 10_000))
            .ToList();
        var severity = SeverityRules.Suggest(top[0].Category, description, request.Sensors);
        return new ClassifyResponse(top, severity, model.Version, top[0].Probability < options.Value.NeedsReviewThreshold);
    }

    /// <summary>
    /// The category of a police event whose type the taxonomy does not know, from its title and summary; null while no
    /// model serves or the event has no text.
    /// </summary>
    public TypeMapping? CategorizeUnknownType(string? title, string? summary)
    {
        var model = Current;
        var text = ClassificationText.ForUnknownPoliceType(title, summary);
        if (model is null || text.Length == 0) return null;
        var p = model.Predict(text);
        var best = 0;
        for (var i = 1; i < p.Length; i++) if (p[i] > p[best]) best = i;
        var category = model.Labels[best];
        return new TypeMapping(category, SeverityRules.Suggest(category, text, null), IsIncident: true, CategoryInference.Classifier);
    }

    /// <summary>
    /// Loads the newest ready classifier from the registry; true when one now serves. Rows left "training" by a
    /// process that stopped mid-training are marked failed, so the history stays truthful; a command, which runs beside
    /// a server that may be training, passes <paramref name="markInterrupted"/> false.
    /// </summary>
    public async Task<bool> LoadLatestAsync(CancellationToken ct, bool markInterrupted = true)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<HaloDbContext>();
        if (markInterrupted && _trainingVersion is null)
        {
            await db.Set<ModelVersion>()
                .Where(m => m.Kind == ModelKinds.Classifier && m.Status == ModelStatus.Training)
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.Status, ModelStatus.Failed)
                    .SetProperty(m => m.Error, "Interrupted: the process stopped during training."), ct);
        }
        var latest = await db.LatestReadyAsync(ModelKinds.Classifier, ct);
        if (latest is null) return false;
        try
        {
            Serve(ClassifierModel.Load(latest.Artifact!, latest.SettingsJson ?? "", latest.Version));
            logger.LogInformation("Serving classifier {Version} trained at {TrainedAt:u}", latest.Version, latest.TrainedAt);
            return true;
        }
        catch (Exception ex) when (ex is InvalidDataException or JsonException or InvalidOperationException or FormatException)
        {
            logger.LogError(ex, "Classifier {Version} in the registry cannot be loaded; it will be retrained", latest.Version);
            return false;
        }
    }

    /// <summary>
    /// Starts a retrain in the background and returns its version at once (for the admin endpoint). When one is
    /// already running, returns that one's version instead of queueing another.
    /// </summary>
    public (string Version, bool AlreadyRunning) StartRetrain()
    {
        if (_trainingVersion is { } running) return (running, true);
        var version = NewVersion();
        var token = lifetime.ApplicationStopping;
        _ = Task.Run(async () =>
        {
            try { await RetrainAsync(version, token); }
            catch (OperationCanceledException) when (token.IsCancellationRequested) { }
            catch (Exception ex) { logger.Log(TooLittleDataException.LevelOf(ex), TooLittleDataException.TraceOf(ex), "Classifier retrain {Version} failed: {Reason}", version, ex.Message); }
        }, CancellationToken.None);
        return (version, false);
    }

    /// <summary>Trains a new classifier from every example source, stores it in the registry and serves it. Returns the row.</summary>
    public Task<ModelVersion> RetrainAsync(CancellationToken ct) => RetrainAsync(NewVersion(), ct);

    private async Task<ModelVersion> RetrainAsync(string version, CancellationToken ct)
    {
        await _trainLock.WaitAsync(ct);
        try
        {
            _trainingVersion = version;
            var now = clock.GetUtcNow().UtcDateTime;
            using var scope = scopes.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<HaloDbContext>();
            var sources = scope.ServiceProvider.GetServices<IClassifierExampleSource>().ToList();
            // The window ends at the newest example, not at "now": a store holding only the bundled (older) sample
            // must still train. The newest example is capped at now (clock skew, future-dated rows).
            DateTime? newest = null;
            foreach (var source in sources)
                if (await source.NewestAsync(ct) is { } n && (newest is null || n > newest)) newest = n;
            var end = newest is { } nw && nw < now ? nw : now;
            var from = end.AddDays(-options.Value.TrainingWindowDays);
            var row = new ModelVersion
            {
                Id = Guid.NewGuid(), Kind = ModelKinds.Classifier, Version = version, TrainedAt = now,
                DataFrom = from, DataTo = end, Status = ModelStatus.Training,
            };
            db.Add(row);
            await db.SaveChangesAsync(ct);
            try
            {
                var examples = new List<LabelledExample>();
                var counts = new Dictionary<string, int>();
                foreach (var source in sources)
                {
                    var got = await source.GetExamplesAsync(from, now.AddTicks(1), ct);
                    counts[source.Name] = got.Count;
                    examples.AddRange(got);
                }
                row.ExampleCount = examples.Count;
                if (examples.Count < options.Value.MinTrainingExamples)
                    throw new TooLittleDataException(
                        $"Only {examples.Count} labelled examples in the {options.Value.TrainingWindowDays} days up to {end:u}; at least {options.Value.MinTrainingExamples} are needed.");

                // CPU-bound for tens of seconds: keep it off the request threads' synchronisation context.
                var trained = await Task.Run(() => ClassifierTrainer.Train(examples, version, ct: ct), ct);
                row.ModelName = trained.ModelName;
                row.WhyChosen = trained.WhyChosen.Length > 2000 ? trained.WhyChosen[..2000] : trained.WhyChosen;
                row.MetricsJson = JsonSerializer.Serialize(new { validation = trained.Validation, examples_by_source = counts });
                row.SettingsJson = trained.SettingsJson;
                row.Artifact = trained.Artifact;
                row.Status = ModelStatus.Ready;
                await db.SaveChangesAsync(CancellationToken.None);
                Serve(trained.Model);
                logger.LogInformation("Classifier {Version} trained on {Count} examples ({Model}); now serving", version, examples.Count, trained.ModelName);
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
            _trainingVersion = null;
            _trainLock.Release();
        }
    }

    private string NewVersion() =>
        string.Create(CultureInfo.InvariantCulture, $"clf-{clock.GetUtcNow():yyyyMMdd'T'HHmmss'Z'}-{Guid.NewGuid():N}")[..29];
}
