using System.Text.Json;
using Halo.Api.Features.Incidents;
using Halo.Api.Features.Live;
using Microsoft.JSInterop;

namespace Halo.App.Services;

/// <summary>
/// The live hub (<c>/hubs/live</c>) for the app: one connection (halo-live.js, the vendored SignalR client), the box
/// the current screen watches, and the hub's messages as .NET events. Started once by the layout; a sign-in or
/// sign-out restarts it so the connection carries the new identity.
/// </summary>
public class LiveUpdates(IJSRuntime js, AuthSession session, HaloApiClient api, AppSettings settings) : IAsyncDisposable
{
    private Task<IJSObjectReference>? _module;
    private DotNetObjectReference<LiveUpdates>? _self;
    private bool _started;

    /// <summary>"connected", "reconnecting" or "disconnected".</summary>
    public string State { get; private set; } = "disconnected";

    public event Action<IncidentDto>? IncidentChanged;
    public event Action<LiveClusterUpdate>? ClusterUpdated;
    public event Action<LivePredictionsUpdate>? PredictionsUpdated;
    public event Action<LiveAlert>? AlertReceived;
    public event Action? StateChanged;

    private Task<IJSObjectReference> Module() =>
        _module ??= js.InvokeAsync<IJSObjectReference>("import", "./_content/Halo.App/halo-live.js").AsTask();

    public virtual async Task StartAsync()
    {
        if (_started) return;
        _started = true;
        _self = DotNetObjectReference.Create(this);
        session.Changed += OnSessionChanged;
        await (await Module()).InvokeVoidAsync("start", _self, settings.DeviceId);
    }

    /// <summary>Watches a box (replacing the previous one); null watches nothing.</summary>
    public virtual async Task WatchAsync(LiveArea? area)
    {
        try { await (await Module()).InvokeVoidAsync("watch", area is null ? null : new { min_lat = area.MinLat, min_lon = area.MinLon, max_lat = area.MaxLat, max_lon = area.MaxLon }); }
        catch (JSDisconnectedException) { /* page is gone */ }
    }

    /// <summary>A box of <paramref name="radiusKm"/> around a point.</summary>
    public static LiveArea Around(double lat, double lon, double radiusKm)
    {
        var dLat = radiusKm / 111.32;
        var dLon = radiusKm / (111.32 * Math.Max(0.01, Math.Cos(lat * Math.PI / 180)));
        return new LiveArea(Math.Max(-90, lat - dLat), Math.Max(-180, lon - dLon), Math.Min(90, lat + dLat), Math.Min(180, lon + dLon));
    }

    [JSInvokable]
    public async Task<string?> AccessToken() => await session.AccessTokenAsync(api, CancellationToken.None);

    [JSInvokable]
    public void OnState(string state)
    {
        State = state;
        StateChanged?.Invoke();
    }

    /// <summary>A hub message (its payload as JSON text, snake_case).</summary>
    [JSInvokable]
    public void OnMessage(string type, string json)
    {
        try
        {
            switch (type)
            {
                case "incident_created" or "incident_updated":
                    if (JsonSerializer.Deserialize<IncidentDto>(json, HaloApiClient.Json) is { } incident) IncidentChanged?.Invoke(incident);
                    break;
                case "cluster_updated":
                    if (JsonSerializer.Deserialize<LiveClusterUpdate>(json, HaloApiClient.Json) is { } cluster) ClusterUpdated?.Invoke(cluster);
                    break;
                case "predictions_updated":
                    if (JsonSerializer.Deserialize<LivePredictionsUpdate>(json, HaloApiClient.Json) is { } p) PredictionsUpdated?.Invoke(p);
                    break;
                case "alert":
                    if (JsonSerializer.Deserialize<LiveAlert>(json, HaloApiClient.Json) is { } alert) AlertReceived?.Invoke(alert);
                    break;
            }
        }
        catch (JsonException) { /* a message this version does not understand: ignored */ }
    }

    private void OnSessionChanged() => _ = RestartAsync();

    private async Task RestartAsync()
    {
        try { await (await Module()).InvokeVoidAsync("restart"); }
        catch (JSDisconnectedException) { }
        catch (JSException) { }
    }

    public async ValueTask DisposeAsync()
    {
        session.Changed -= OnSessionChanged;
        if (_module is { IsCompletedSuccessfully: true })
        {
            try { await _module.Result.InvokeVoidAsync("stop"); await _module.Result.DisposeAsync(); }
            catch (JSDisconnectedException) { }
        }
        _self?.Dispose();
        GC.SuppressFinalize(this);
    }
}
