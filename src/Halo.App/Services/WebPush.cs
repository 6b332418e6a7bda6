using Halo.Api.Features.Push;
using Microsoft.JSInterop;

namespace Halo.App.Services;

/// <summary>What the browser says about push: its state ("subscribed", "none", "unsupported", "denied", "failed") and
/// the subscription's endpoint and keys when there is one.</summary>
public sealed record PushStatus(string State, string? Endpoint = null, string? P256dh = null, string? Auth = null, string? Error = null);

/// <summary>
/// The Web Push subscription: the browser's (PushManager, through the service worker; halo-alerts.js) registered with
/// <c>POST /api/v1/push/subscriptions</c> for this account or device. The service worker shows what arrives.
/// </summary>
public class WebPush(IJSRuntime js, HaloApiClient api, AppSettings settings, Strings strings) : IAsyncDisposable
{
    private Task<IJSObjectReference>? _module;

    private Task<IJSObjectReference> Module() =>
        _module ??= js.InvokeAsync<IJSObjectReference>("import", "./_content/Halo.App/halo-alerts.js").AsTask();

    public virtual async Task<PushStatus> StatusAsync() => await (await Module()).InvokeAsync<PushStatus>("pushState");

    /// <summary>Asks for permission, subscribes in the browser and registers the subscription with the server.</summary>
    public virtual async Task<PushStatus> SubscribeAsync()
    {
        var key = await api.GetVapidPublicKeyAsync();
        if (!key.Ok || key.Value is null) return new PushStatus("failed", Error: key.Problem?.Detail ?? key.Problem?.Title);
        var browser = await (await Module()).InvokeAsync<PushStatus>("subscribePush", key.Value.PublicKey);
        if (browser.State != "subscribed") return browser;
        var saved = await api.SubscribePushAsync(new PushSubscriptionRequest(browser.Endpoint, new PushKeysDto(browser.P256dh, browser.Auth), strings.Language),
            settings.DeviceId);
        return saved.Ok ? browser : new PushStatus("failed", Error: saved.Problem?.Detail ?? saved.Problem?.Title);
    }

    public virtual async Task<PushStatus> UnsubscribeAsync()
    {
        var browser = await (await Module()).InvokeAsync<PushStatus>("unsubscribePush");
        if (browser.Endpoint is { } endpoint) await api.UnsubscribePushAsync(endpoint, settings.DeviceId);
        return browser with { Endpoint = null };
    }

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
