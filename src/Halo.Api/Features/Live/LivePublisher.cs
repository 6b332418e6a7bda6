using System.Threading.Channels;
using Halo.Api.Data;
using Halo.Api.Features.Incidents;
using Halo.Api.Features.Reports;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Halo.Api.Features.Live;

/// <summary>
/// Queues changes (<see cref="ILiveNotifications"/>) and publishes them in the background: each incident is read back
/// and sent as its public row (<see cref="IncidentDto"/>, the same view as <c>GET /api/v1/incidents/{id}</c>; a citizen
/// cluster's row holds only its published cell) to the area groups of that position at resolutions 5–7. With the Redis
/// backplane the send reaches the connections of every instance.
/// </summary>
public sealed class LivePublisher : BackgroundService, ILiveNotifications
{
    public const string IncidentCreated = "incident_created";
    public const string IncidentUpdated = "incident_updated";
    public const string ClusterUpdated = "cluster_updated";
    public const string PredictionsUpdatedMessage = "predictions_updated";
    public const string Alert = "alert";

    private abstract record Change;
    private sealed record IncidentChange(Guid Id, LiveChange Kind) : Change;
    private sealed record PredictionsChange(string Version, DateTime ComputedAt) : Change;

    private readonly Channel<Change> _queue;
    private readonly IHubContext<LiveHub> _hub;
    private readonly IServiceScopeFactory _scopes;
    private readonly IEnumerable<ILiveIncidentObserver> _observers;
    private readonly LiveMetrics _metrics;
    private readonly ILogger<LivePublisher> _logger;

    public LivePublisher(IHubContext<LiveHub> hub, IServiceScopeFactory scopes, IEnumerable<ILiveIncidentObserver> observers,
        LiveMetrics metrics, IOptions<LiveOptions> options, ILogger<LivePublisher> logger)
    {
        _hub = hub;
        _scopes = scopes;
        _observers = observers;
        _metrics = metrics;
        _logger = logger;
        _queue = Channel.CreateBounded<Change>(new BoundedChannelOptions(options.Value.QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true,
        }, _ => metrics.ChangeDropped());
    }

    public void IncidentChanged(Guid incidentId, LiveChange change) => _queue.Writer.TryWrite(new IncidentChange(incidentId, change));

    public void PredictionsUpdated(string modelVersion, DateTime computedAt) => _queue.Writer.TryWrite(new PredictionsChange(modelVersion, computedAt));

    /// <summary>Sends a personal alert to the user's connections (any instance).</summary>
    public Task SendToUserAsync(Guid userId, LiveAlert alert, CancellationToken ct)
    {
        _metrics.MessageSent(Alert);
        return _hub.Clients.User(userId.ToString()).SendAsync(Alert, alert, ct);
    }

    /// <summary>Sends a personal alert to the connections that identified as this device.</summary>
    public Task SendToDeviceAsync(string deviceHash, LiveAlert alert, CancellationToken ct)
    {
        _metrics.MessageSent(Alert);
        return _hub.Clients.Group(LiveHub.DeviceGroup(deviceHash)).SendAsync(Alert, alert, ct);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var change in _queue.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                switch (change)
                {
                    case IncidentChange c: await PublishIncidentAsync(c, stoppingToken); break;
                    case PredictionsChange p:
                        _metrics.MessageSent(PredictionsUpdatedMessage);
                        await _hub.Clients.All.SendAsync(PredictionsUpdatedMessage, new LivePredictionsUpdate(p.Version, p.ComputedAt), stoppingToken);
                        break;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { return; }
            // The host is gone (a start that failed after changes were queued): nobody is left to tell.
            catch (ObjectDisposedException) { return; }
            catch (Exception e)
            {
                // One change that cannot be published (store busy, backplane down) must not stop the others.
                _logger.LogWarning(e, "A live update could not be published");
            }
        }
    }

    private async Task PublishIncidentAsync(IncidentChange c, CancellationToken ct)
    {
        IncidentDto dto;
        LiveClusterUpdate? cluster = null;
        await using (var scope = _scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<HaloDbContext>();
            var row = await db.Incidents.AsNoTracking().FirstOrDefaultAsync(i => i.Id == c.Id, ct);
            if (row is null) return;
            dto = row.ToDto();
            if (row.Source == IncidentSources.Citizen)
            {
                var rc = await db.Set<ReportCluster>().AsNoTracking().FirstOrDefaultAsync(x => x.IncidentId == c.Id, ct);
                if (rc is not null)
                    cluster = new LiveClusterUpdate(rc.IncidentId, rc.OfficialIncidentId, rc.ReportCount, rc.UniqueReporters,
                        ClusterScoring.Confidence(rc.UniqueReporters), row.Status, row.IsVerified, rc.HasMedia, row.UpdatedAt);
            }
        }

        var groups = LiveAreas.GroupsOf(dto.Latitude, dto.Longitude);
        var clients = _hub.Clients.Groups(groups);
        var type = c.Kind == LiveChange.Created ? IncidentCreated : IncidentUpdated;
        _metrics.MessageSent(type);
        await clients.SendAsync(type, dto, ct);
        if (cluster is not null)
        {
            _metrics.MessageSent(ClusterUpdated);
            await clients.SendAsync(ClusterUpdated, cluster, ct);
        }
        foreach (var observer in _observers)
        {
            try { await observer.OnIncidentAsync(dto, c.Kind, ct); }
            catch (Exception e) when (e is not OperationCanceledException) { _logger.LogWarning(e, "Alerts for an incident could not be evaluated"); }
        }
    }
}
