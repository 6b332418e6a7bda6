using Microsoft.JSInterop;

namespace Halo.App.Services;

/// <summary>A position fix, or why there is none ("denied", "unavailable", "timeout", "unsupported").</summary>
public sealed record GeoFix(double Latitude, double Longitude, double AccuracyM, string? Error)
{
    public bool Ok => Error is null;
}

/// <summary>The few browser features the app needs (storage, languages, geolocation), through halo.js.</summary>
public class BrowserApi(IJSRuntime js) : IAsyncDisposable
{
    private Task<IJSObjectReference>? _module;

    private Task<IJSObjectReference> Module() =>
        _module ??= js.InvokeAsync<IJSObjectReference>("import", "./_content/Halo.App/halo.js").AsTask();

    public virtual async Task<string?> GetAsync(string key) => await (await Module()).InvokeAsync<string?>("getItem", key);

    public virtual async Task SetAsync(string key, string? value) => await (await Module()).InvokeVoidAsync("setItem", key, value);

    public virtual async Task<string[]> LanguagesAsync() => await (await Module()).InvokeAsync<string[]>("languages");

    /// <summary>A position fix; <paramref name="maxAgeMs"/>: how old a fix the browser may answer with from its cache.</summary>
    public virtual async Task<GeoFix> LocateAsync(int timeoutMs = 15000, int maxAgeMs = 30000) => await (await Module()).InvokeAsync<GeoFix>("locate", timeoutMs, maxAgeMs);

    public virtual async Task SetDocumentLanguageAsync(string lang) => await (await Module()).InvokeVoidAsync("setDocumentLanguage", lang);

    /// <summary>Calls <c>OnOnlineChanged(bool)</c> on <paramref name="target"/> when the browser goes on- or offline; returns whether it is online.</summary>
    public virtual async Task<bool> WatchOnlineAsync<T>(DotNetObjectReference<T> target) where T : class =>
        await (await Module()).InvokeAsync<bool>("watchOnline", target);

    public async ValueTask DisposeAsync()
    {
        if (_module is { IsCompletedSuccessfully: true })
        {
            try { await _module.Result.DisposeAsync(); }
            catch (JSDisconnectedException) { /* page is gone */ }
        }
        GC.SuppressFinalize(this);
    }
}
