using System.Net.Http.Json;
using System.Text.Json;
using Halo.Api.Features.Alerts;
using Halo.Api.Features.Push;

namespace Halo.App.Services;

// Alerts, geofencing and Web Push (docs/live.md). Signed in, or as this device (X-Device-Id).
public sealed partial class HaloApiClient
{
    public Task<ApiResult<AlertPreferencesDto>> GetAlertPreferencesAsync(string deviceId, CancellationToken ct = default) =>
        SendAsync<AlertPreferencesDto>(WithDevice(new HttpRequestMessage(HttpMethod.Get, "api/v1/me/alerts"), deviceId), ct);

    /// <summary>Replaces the preferences. An anonymous device needs a push subscription first (409 otherwise).</summary>
    public Task<ApiResult<AlertPreferencesDto>> PutAlertPreferencesAsync(AlertPreferencesRequest body, string deviceId, CancellationToken ct = default) =>
        SendAsync<AlertPreferencesDto>(WithDevice(new HttpRequestMessage(HttpMethod.Put, "api/v1/me/alerts") { Content = JsonContent.Create(body, options: Json) }, deviceId), ct);

    /// <summary>The current position (held in memory on the server, never stored); answers the alerts it raised.</summary>
    public Task<ApiResult<PositionResponse>> PostPositionAsync(double latitude, double longitude, double accuracyM, string deviceId, CancellationToken ct = default) =>
        SendAsync<PositionResponse>(WithDevice(new HttpRequestMessage(HttpMethod.Post, "api/v1/me/position")
        {
            Content = JsonContent.Create(new PositionRequest(latitude, longitude, accuracyM), options: Json),
        }, deviceId), ct);

    public async Task ForgetPositionAsync(string deviceId, CancellationToken ct = default) =>
        await SendAsync<JsonElement>(WithDevice(new HttpRequestMessage(HttpMethod.Delete, "api/v1/me/position"), deviceId), ct);

    public Task<ApiResult<VapidPublicKeyDto>> GetVapidPublicKeyAsync(CancellationToken ct = default) =>
        SendAsync<VapidPublicKeyDto>(new HttpRequestMessage(HttpMethod.Get, "api/v1/push/vapid-public-key"), ct);

    public Task<ApiResult<PushSubscriptionDto>> SubscribePushAsync(PushSubscriptionRequest body, string deviceId, CancellationToken ct = default) =>
        SendAsync<PushSubscriptionDto>(WithDevice(new HttpRequestMessage(HttpMethod.Post, "api/v1/push/subscriptions") { Content = JsonContent.Create(body, options: Json) }, deviceId), ct);

    public Task<ApiResult<JsonElement>> UnsubscribePushAsync(string endpoint, string deviceId, CancellationToken ct = default) =>
        SendAsync<JsonElement>(WithDevice(new HttpRequestMessage(HttpMethod.Delete, "api/v1/push/subscriptions")
        {
            Content = JsonContent.Create(new PushUnsubscribeRequest(endpoint), options: Json),
        }, deviceId), ct);

    private static HttpRequestMessage WithDevice(HttpRequestMessage request, string deviceId)
    {
        if (!string.IsNullOrEmpty(deviceId)) request.Headers.Add(DeviceHeader, deviceId);
        return request;
    }
}
