using System.Collections.Concurrent;
using Halo.Api.Features.Classification;
using Halo.Api.Features.Predictions;
using Halo.Api.Features.Predictions.Serving;

namespace Halo.Api.Features.Training;

/// <summary>
/// The retrain job: trains the risk model (and swaps in its forecasts) and then the text classifier. Only one runs at a
/// time: a trigger while one runs gets the running job back. Jobs are kept in memory (the latest 100) for
/// <c>GET /api/v1/admin/retrain/{id}</c>; every model trained is also recorded in the model registry.
/// </summary>
public sealed class RetrainJobs(RiskModelService risk, ClassifierService classifier, TimeProvider clock,
    IHostApplicationLifetime lifetime, ILogger<RetrainJobs> logger)
{
    private readonly ConcurrentDictionary<string, RetrainJob> _jobs = new();
    private readonly Lock _gate = new();
    private RetrainJob? _running;

    public RetrainJob? Find(string id) => _jobs.GetValueOrDefault(id);

    /// <summary>Starts a job in the background, or returns the one running (<c>Started</c> false).</summary>
    public (RetrainJob Job, bool Started) Trigger(string trigger)
    {
        lock (_gate)
        {
            if (_running is { } running) return (running, false);
            var job = new RetrainJob(Guid.NewGuid().ToString("N"), trigger, clock.GetUtcNow().UtcDateTime);
            _running = job;
            _jobs[job.Id] = job;
            foreach (var old in _jobs.Values.OrderByDescending(j => j.RequestedAt).Skip(100)) _jobs.TryRemove(old.Id, out _);
            job.Task = Task.Run(() => RunAsync(job, lifetime.ApplicationStopping), CancellationToken.None);
            return (job, true);
        }
    }

    private async Task RunAsync(RetrainJob job, CancellationToken ct)
    {
        job.Status = RetrainStatus.Running;
        job.StartedAt = clock.GetUtcNow().UtcDateTime;
        var errors = new List<string>();
        try
        {
            try
            {
                var row = await risk.RetrainAsync(risk.NewVersion(), ct);
                job.RiskModelVersion = row.Version;
                job.ChosenModel = row.ModelName;
                job.WhyChosen = row.WhyChosen;
                job.Validation = risk.Model?.Version == row.Version ? risk.Model.Validation : null;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                logger.Log(TooLittleDataException.LevelOf(ex), TooLittleDataException.TraceOf(ex), "Risk model training in job {Job} failed: {Reason} The previous model keeps serving", job.Id, ex.Message);
                errors.Add("risk: " + ex.Message);
            }
            try
            {
                var row = await classifier.RetrainAsync(ct);
                job.ClassifierVersion = row.Version;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                logger.Log(TooLittleDataException.LevelOf(ex), TooLittleDataException.TraceOf(ex), "Classifier training in job {Job} failed: {Reason} The previous classifier keeps serving", job.Id, ex.Message);
                errors.Add("classifier: " + ex.Message);
            }
            job.Error = errors.Count == 0 ? null : string.Join(" | ", errors);
            job.Status = job.RiskModelVersion is null ? RetrainStatus.Failed : RetrainStatus.Succeeded;
        }
        catch (OperationCanceledException)
        {
            job.Error = "Cancelled: the app is stopping.";
            job.Status = RetrainStatus.Failed;
        }
        finally
        {
            job.FinishedAt = clock.GetUtcNow().UtcDateTime;
            lock (_gate) _running = null;
        }
    }
}

public static class RetrainStatus
{
    public const string Queued = "queued";
    public const string Running = "running";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
}

public sealed class RetrainJob(string id, string trigger, DateTime requestedAt)
{
    public string Id { get; } = id;
    public string Trigger { get; } = trigger;
    public DateTime RequestedAt { get; } = requestedAt;
    public volatile string Status = RetrainStatus.Queued;
    public DateTime? StartedAt { get; set; }
    public DateTime? FinishedAt { get; set; }
    public string? RiskModelVersion { get; set; }
    public string? ChosenModel { get; set; }
    public string? WhyChosen { get; set; }
    public IReadOnlyList<ModelMetricsDto>? Validation { get; set; }
    public string? ClassifierVersion { get; set; }
    public string? Error { get; set; }
    internal Task? Task { get; set; }

    /// <summary>Completes when the job has finished (for the scheduled job and tests).</summary>
    public Task Completion => Task ?? System.Threading.Tasks.Task.CompletedTask;

    public RetrainJobDto ToDto() => new(Id, Status, RequestedAt, StartedAt, FinishedAt, Trigger, ClassifierVersion, RiskModelVersion,
        ChosenModel, WhyChosen, Validation, Error);
}
