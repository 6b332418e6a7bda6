using Halo.Api.Features.Live;
using Microsoft.JSInterop;

namespace Halo.App.Services;

/// <summary>
/// Alerts shown in the app: from the position posts' answers and from the hub's <c>alert</c> messages (the same alert
/// can come both ways; it is shown once, by id). Each new one goes to the in-app banner and, when the user allowed it,
/// to a system notification.
/// </summary>
public class AlertCenter(IJSRuntime js, LiveUpdates live) : IAsyncDisposable
{
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly List<LiveAlert> _shown = [];
    private Task<IJSObjectReference>? _module;
    private bool _hooked;

    /// <summary>The alerts not yet dismissed, newest first.</summary>
    public IReadOnlyList<LiveAlert> Shown => _shown;

    public event Action? Changed;

    private Task<IJSObjectReference> Module() =>
        _module ??= js.InvokeAsync<IJSObjectReference>("import", "./_content/Halo.App/halo-alerts.js").AsTask();

    /// <summary>Listens to the hub's alerts (once).</summary>
    public void Listen()
    {
        if (_hooked) return;
        _hooked = true;
        live.AlertReceived += a => _ = RaiseAsync(a);
    }

    public async Task RaiseAsync(LiveAlert alert)
    {
        lock (_seen) { if (!_seen.Add(alert.Id)) return; }
        _shown.Insert(0, alert);
        if (_shown.Count > 3) _shown.RemoveAt(_shown.Count - 1);
        Changed?.Invoke();
        var url = alert.IncidentId is { } id ? $"/?incident={id}" : "/";
        try { await (await Module()).InvokeAsync<bool>("notify", alert.Title, alert.Body, alert.Id, url); }
        catch (JSException) { /* no notification: the banner shows it */ }
        catch (JSDisconnectedException) { }
    }

    public void Dismiss(string id)
    {
        _shown.RemoveAll(a => a.Id == id);
        Changed?.Invoke();
    }

    /// <summary>"granted", "denied", "default" or "unsupported".</summary>
    public virtual async Task<string> NotificationPermissionAsync() => await (await Module()).InvokeAsync<string>("notificationPermission");

    public virtual async Task<string> RequestNotificationsAsync() => await (await Module()).InvokeAsync<string>("requestNotifications");

    public async ValueTask DisposeAsync()
    {
        if (_module is { IsCompletedSuccessfully: true })
        {
            try { await _module.Result.DisposeAsync(); }
            catch (JSDisconnectedException) { }
        }
        GC.SuppressFinalize(this);
    }
}

/// <summary>
/// Foreground geofencing: while it is on and the app is visible, the position (watchPosition, battery-aware: see
/// halo-alerts.js) is posted to <c>POST /api/v1/me/position</c> at most every 30 s; the alerts it raises go to the
/// <see cref="AlertCenter"/>. Hidden, the watch stops and the server is told to forget the position. Off by default
/// (the app never asks for the position unasked); the choice is kept in localStorage.
/// </summary>
public class Geofencing(IJSRuntime js, BrowserApi browser, HaloApiClient api, AppSettings settings, AlertCenter alerts) : IAsyncDisposable
{
    private const string Key = "halo.geofence";
    private Task<IJSObjectReference>? _module;
    private DotNetObjectReference<Geofencing>? _self;

    public bool Enabled { get; private set; }
    /// <summary>Whether the browser watches the position now.</summary>
    public bool Watching { get; private set; }
    /// <summary>Why the position is not known ("denied", "unavailable", "timeout", "unsupported"), or null.</summary>
    public string? Error { get; private set; }
    public DateTimeOffset? LastPostedAt { get; private set; }

    public event Action? Changed;

    private Task<IJSObjectReference> Module() =>
        _module ??= js.InvokeAsync<IJSObjectReference>("import", "./_content/Halo.App/halo-alerts.js").AsTask();

    /// <summary>At start: watches again when the user turned it on before.</summary>
    public async Task RestoreAsync()
    {
        Enabled = await browser.GetAsync(Key) == "on";
        if (Enabled) await StartAsync();
    }

    public async Task SetEnabledAsync(bool on)
    {
        Enabled = on;
        await browser.SetAsync(Key, on ? "on" : null);
        if (on) await StartAsync();
        else await StopAsync();
        Changed?.Invoke();
    }

    private async Task StartAsync()
    {
        _self ??= DotNetObjectReference.Create(this);
        Error = null;
        Watching = await (await Module()).InvokeAsync<bool>("startGeofence", _self, new { minIntervalMs = 30_000, minDistanceM = 50, keepAliveMs = 600_000 });
        if (!Watching) Error = "unsupported";
        Changed?.Invoke();
    }

    private async Task StopAsync()
    {
        if (_module is not null) await (await Module()).InvokeVoidAsync("stopGeofence");
        Watching = false;
        await api.ForgetPositionAsync(settings.DeviceId);
    }

    [JSInvokable]
    public async Task OnPosition(double latitude, double longitude, double accuracyM)
    {
        if (!Enabled) return;
        Error = null;
        var result = await api.PostPositionAsync(latitude, longitude, accuracyM, settings.DeviceId);
        LastPostedAt = DateTimeOffset.UtcNow;
        Changed?.Invoke();
        if (result.Ok && result.Value is { } answer)
            foreach (var a in answer.Alerts) await alerts.RaiseAsync(a);
    }

    [JSInvokable]
    public void OnPositionError(string error)
    {
        Error = error;
        Changed?.Invoke();
    }

    /// <summary>The app went to the background: the server forgets the position now (the watch has stopped).</summary>
    [JSInvokable]
    public Task OnHidden() => Enabled ? api.ForgetPositionAsync(settings.DeviceId) : Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (_module is { IsCompletedSuccessfully: true })
        {
            try { await _module.Result.InvokeVoidAsync("stopGeofence"); await _module.Result.DisposeAsync(); }
            catch (JSDisconnectedException) { }
        }
        _self?.Dispose();
        GC.SuppressFinalize(this);
    }
}
