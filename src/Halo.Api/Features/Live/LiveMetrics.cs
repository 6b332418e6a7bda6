using System.Diagnostics.Metrics;

namespace Halo.Api.Features.Live;

/// <summary>
/// The instruments of live updates, alerts and push, under the meter <c>Halo.Live</c> (docs/live.md lists them):
/// an exporter (OpenTelemetry, Prometheus) only has to listen to that meter.
/// </summary>
public sealed class LiveMetrics
{
    public const string MeterName = "Halo.Live";

    private readonly UpDownCounter<long> _connections;
    private readonly Counter<long> _messages;
    private readonly Counter<long> _dropped;
    private readonly Counter<long> _pushSent;
    private readonly Counter<long> _pushFailed;
    private readonly Counter<long> _alerts;
    private readonly Counter<long> _suppressed;
    private readonly Counter<long> _relayed;
    private readonly Counter<long> _refused;

    public LiveMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _connections = meter.CreateUpDownCounter<long>("halo.live.connections", "{connection}", "Open hub connections on this instance.");
        _messages = meter.CreateCounter<long>("halo.live.messages", "{message}", "Hub messages sent (one per group or connection set addressed), by type.");
        _dropped = meter.CreateCounter<long>("halo.live.changes_dropped", "{change}", "Changes dropped because the publish queue was full.");
        _pushSent = meter.CreateCounter<long>("halo.push.sent", "{push}", "Web Push messages the push service accepted.");
        _pushFailed = meter.CreateCounter<long>("halo.push.failed", "{push}", "Web Push attempts that failed, by outcome (gone, rejected, retry, expired).");
        _alerts = meter.CreateCounter<long>("halo.alerts.sent", "{alert}", "Personal alerts raised, by type (risk, incident).");
        _suppressed = meter.CreateCounter<long>("halo.alerts.suppressed", "{alert}", "Alerts not raised, by reason (cooldown, quiet_hours) and type.");
        _relayed = meter.CreateCounter<long>("halo.alerts.relayed", "{message}",
            "Alert relay messages between instances over Redis, by direction (sent, received) and kind (incident, places).");
        _refused = meter.CreateCounter<long>("halo.live.refused", "{refusal}",
            "Hub connections and calls refused by a limit, by limit (connections, calls).");
    }

    public void Connected() => _connections.Add(1);
    public void Disconnected() => _connections.Add(-1);
    public void MessageSent(string type) => _messages.Add(1, new KeyValuePair<string, object?>("type", type));
    public void ChangeDropped() => _dropped.Add(1);
    public void Refused(string limit) => _refused.Add(1, new KeyValuePair<string, object?>("limit", limit));
    public void PushSent() => _pushSent.Add(1);
    public void PushFailed(string outcome) => _pushFailed.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
    public void AlertRaised(string type) => _alerts.Add(1, new KeyValuePair<string, object?>("type", type));
    public void AlertSuppressed(string type, string reason) =>
        _suppressed.Add(1, new KeyValuePair<string, object?>("type", type), new KeyValuePair<string, object?>("reason", reason));
    public void AlertRelay(string direction, string kind) =>
        _relayed.Add(1, new KeyValuePair<string, object?>("direction", direction), new KeyValuePair<string, object?>("kind", kind));
}
