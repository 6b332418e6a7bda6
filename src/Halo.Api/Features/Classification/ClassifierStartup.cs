using Halo.Api.Data;
using Halo.Api.Features.Incidents;
using Halo.Api.Features.Training;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Halo.Api.Features.Classification;

/// <summary>
/// At start: serve the newest classifier in the registry; if there is none, wait (in the background) until the
/// first-run sample of police events has been loaded — enough rows and no longer growing — and train the first model.
/// Until then <c>POST /api/v1/classify</c> answers 503.
/// </summary>
public sealed class ClassifierStartup(
    ClassifierService classifier, IServiceScopeFactory scopes, TimeProvider clock,
    IOptions<ClassificationOptions> options, ILogger<ClassifierStartup> logger) : BackgroundService
{
    private const int MaxAttempts = 3;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            if (await LoadLatestAsync(stoppingToken) || !options.Value.TrainOnStart) return;
            var poll = TimeSpan.FromSeconds(options.Value.StartupPollSeconds);
            var previous = -1;
            var attempts = 0;
            while (!stoppingToken.IsCancellationRequested && classifier.Current is null && attempts < MaxAttempts)
            {
                var count = await Infrastructure.StoreErrors.WaitOutUnavailableAsync(CountPolisenIncidentsAsync, "Counting police events", logger, clock, stoppingToken);
                // The seeder inserts in batches: train once the count is large enough and has stopped moving.
                if (count >= options.Value.MinTrainingExamples && count == previous)
                {
                    attempts++;
                    try
                    {
                        logger.LogInformation("No classifier in the registry; training the first one from {Count} police events", count);
                        await classifier.RetrainAsync(stoppingToken);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        logger.Log(TooLittleDataException.LevelOf(ex), TooLittleDataException.TraceOf(ex), "Training the first classifier failed (attempt {Attempt} of {Max}): {Reason}", attempts, MaxAttempts, ex.Message);
                    }
                }
                previous = count;
                if (classifier.Current is null) await Task.Delay(poll, clock, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// The registry's newest classifier, waiting out a store that is unavailable at start (a database still starting,
    /// a network blip): the app serves everything else meanwhile, and classify answers 503 until a model is loaded.
    /// </summary>
    private Task<bool> LoadLatestAsync(CancellationToken ct) =>
        Infrastructure.StoreErrors.WaitOutUnavailableAsync(c => classifier.LoadLatestAsync(c), "Loading the classifier", logger, clock, ct);

    private async Task<int> CountPolisenIncidentsAsync(CancellationToken ct)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<HaloDbContext>();
        return await db.Incidents.CountAsync(i => i.Source == IncidentSources.Polisen && i.IsIncident, ct);
    }
}
