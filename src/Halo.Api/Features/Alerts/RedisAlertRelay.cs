using System.Text.Json;
using Halo.Api.Features.Incidents;
using Halo.Api.Features.Live;
using StackExchange.Redis;

namespace Halo.Api.Features.Alerts;

/// <summary>
/// Several instances (Redis configured): a live position is held only in the memory of the instance it was posted to,
/// while an incident is published by the instance where it changed. This relay forwards every alertable incident — its
/// public row (<see cref="IncidentDto"/>, the same view anyone can read), never a position — over one Redis channel,
/// and every other instance checks the positions it holds (<see cref="Geofence.OnRelayedIncidentAsync"/>). Watched
/// places are stored, so the publishing instance checks them; a place saved on one instance clears the place cache of
/// the others. "One alert per incident per owner" is a Redis key, so an owner seen by two instances is alerted once.
/// </summary>
public sealed class RedisAlertRelay(IConnectionMultiplexer redis, string prefix, Geofence geofence, LiveMetrics metrics,
    ILogger<RedisAlertRelay> logger) : BackgroundService, ILiveIncidentObserver
{
    private const string IncidentKind = "incident";
    private const string PlacesKind = "places";

    // Who sent a message: an instance skips its own (it has evaluated the incident already).
    private readonly string _origin = Guid.NewGuid().ToString("N");
    private RedisChannel Channel => RedisChannel.Literal(prefix + ":alerts");

    public async Task OnIncidentAsync(IncidentDto incident, LiveChange change, CancellationToken ct)
    {
        if (!Geofence.Alertable(incident)) return;
        var message = JsonSerializer.Serialize(new RelayMessage(_origin, IncidentKind, incident), RelayJsonContext.Default.RelayMessage);
        await redis.GetSubscriber().PublishAsync(Channel, message);
        metrics.AlertRelay("sent", IncidentKind);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        geofence.PlacesSaved += PublishPlacesSaved;
        // Redis may be down at start (the multiplexer keeps retrying): keep trying to subscribe, never block the host.
        for (var delay = TimeSpan.FromSeconds(1); !stoppingToken.IsCancellationRequested; delay = TimeSpan.FromSeconds(Math.Min(30, delay.TotalSeconds * 2)))
        {
            try
            {
                var queue = await redis.GetSubscriber().SubscribeAsync(Channel);
                queue.OnMessage(m => OnMessageAsync(m.Message, stoppingToken));
                return;
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                logger.LogWarning("Redis alert relay: cannot subscribe yet ({Reason}); retrying in {Delay}", e.Message, delay);
                await Task.Delay(delay, stoppingToken);
            }
        }
    }

    private async Task OnMessageAsync(RedisValue value, CancellationToken ct)
    {
        try
        {
            var message = JsonSerializer.Deserialize(value.ToString(), RelayJsonContext.Default.RelayMessage);
            if (message is null || message.Origin == _origin) return;
            metrics.AlertRelay("received", message.Kind);
            if (message.Kind == PlacesKind) geofence.ForgetPlaces();
            else if (message.Kind == IncidentKind && message.Incident is { } incident) await geofence.OnRelayedIncidentAsync(incident, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The exception may name the incident, never a position (positions are not part of any relay message).
            logger.LogWarning(e, "A relayed alert message could not be handled");
        }
    }

    private void PublishPlacesSaved()
    {
        var message = JsonSerializer.Serialize(new RelayMessage(_origin, PlacesKind, null), RelayJsonContext.Default.RelayMessage);
        // Fire and forget: a lost message costs at most the cache's minute.
        _ = redis.GetSubscriber().PublishAsync(Channel, message, CommandFlags.FireAndForget);
        metrics.AlertRelay("sent", PlacesKind);
    }

    public override Task StopAsync(CancellationToken cancellationToken)
    {
        geofence.PlacesSaved -= PublishPlacesSaved;
        return base.StopAsync(cancellationToken);
    }
}

/// <summary>What the relay sends: who sent it, what kind, and for an incident its public row.</summary>
public sealed record RelayMessage(string Origin, string Kind, IncidentDto? Incident);

[System.Text.Json.Serialization.JsonSerializable(typeof(RelayMessage))]
internal sealed partial class RelayJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
