using Halo.Api.Data;
using Halo.Api.Features.Training;
using Halo.Api.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Halo.Api.Features.Predictions.Serving;

/// <summary>
/// At start: serve the newest risk model in the registry; if there is none (and <c>Predictions:TrainOnStart</c>), wait
/// until the first-run sample has loaded — enough events and no longer growing — and train the first one in the
/// background. Then roll the snapshot forward at every hour boundary of the app's clock, so T+0 is the current hour.
/// </summary>
public sealed class PredictionStartup(
    RiskModelService service, IServiceScopeFactory scopes, TimeProvider clock, IOptions<PredictionOptions> options,
    ILogger<PredictionStartup> logger) : BackgroundService
{
    private const int MaxAttempts = 3;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            // A store that is unavailable at start is waited out: a faulted background service would stop the host.
            var loaded = await StoreErrors.WaitOutUnavailableAsync(service.LoadLatestAsync, "Loading the risk model", logger, clock, stoppingToken);
            if (!loaded && options.Value.TrainOnStart) await FirstTrainingAsync(stoppingToken);
            while (!stoppingToken.IsCancellationRequested)
            {
                var now = clock.GetUtcNow();
                var next = new DateTimeOffset(now.Ticks - now.Ticks % TimeSpan.TicksPerHour, TimeSpan.Zero).AddHours(1);
                await Task.Delay(next - now, clock, stoppingToken);
                try { await service.RefreshAsync(stoppingToken); }
                catch (Exception ex) when (ex is not OperationCanceledException) { logger.LogError(ex, "Rolling the prediction snapshot forward failed; the previous one keeps serving"); }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task FirstTrainingAsync(CancellationToken ct)
    {
        var poll = TimeSpan.FromSeconds(options.Value.StartupPollSeconds);
        var previous = -1;
        var attempts = 0;
        while (!ct.IsCancellationRequested && service.Current is null && attempts < MaxAttempts)
        {
            var count = await StoreErrors.WaitOutUnavailableAsync(CountIncidentsAsync, "Counting events", logger, clock, ct);
            if (count >= options.Value.MinTrainingEvents && count == previous)
            {
                attempts++;
                try
                {
                    logger.LogInformation("No risk model in the registry; training the first one from {Count} events", count);
                    await service.RetrainAsync(service.NewVersion(), ct);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.Log(TooLittleDataException.LevelOf(ex), TooLittleDataException.TraceOf(ex), "Training the first risk model failed (attempt {Attempt} of {Max}): {Reason}", attempts, MaxAttempts, ex.Message);
                }
            }
            previous = count;
            if (service.Current is null) await Task.Delay(poll, clock, ct);
        }
    }

    private async Task<int> CountIncidentsAsync(CancellationToken ct)
    {
        using var scope = scopes.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<HaloDbContext>().Incidents.CountAsync(i => i.IsIncident, ct);
    }
}
