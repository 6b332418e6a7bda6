using System.Text.Json;
using Microsoft.JSInterop;

namespace Halo.App.Services;

/// <summary>A saved answer and when it was saved.</summary>
public sealed record Cached<T>(T Value, DateTimeOffset SavedAt);

/// <summary>
/// The last data the map showed, kept in IndexedDB (halo-cache.js) so it can be shown offline, marked stale with its
/// time. The hotspots are saved by the map module itself; the incidents through here.
/// </summary>
public class ViewCache(IJSRuntime js) : IAsyncDisposable
{
    private Task<IJSObjectReference>? _module;

    private Task<IJSObjectReference> Module() =>
        _module ??= js.InvokeAsync<IJSObjectReference>("import", "./_content/Halo.App/halo-cache.js").AsTask();

    public virtual async Task PutAsync<T>(string key, T value)
    {
        try { await (await Module()).InvokeAsync<bool>("put", key, JsonSerializer.Serialize(value, HaloApiClient.Json)); }
        catch (JSException) { /* not cached: only offline use suffers */ }
    }

    /// <summary>The entry for <paramref name="key"/>, else the newest whose key starts with <paramref name="prefix"/>.</summary>
    public virtual async Task<Cached<T>?> GetAsync<T>(string key, string? prefix = null)
    {
        try
        {
            var entry = await (await Module()).InvokeAsync<Entry?>("get", key, prefix);
            if (entry?.Json is null || JsonSerializer.Deserialize<T>(entry.Json, HaloApiClient.Json) is not { } value) return null;
            return new Cached<T>(value, DateTimeOffset.FromUnixTimeMilliseconds((long)entry.At));
        }
        catch (Exception e) when (e is JSException or JsonException) { return null; }
    }

    private sealed record Entry(string Key, string? Json, double At);

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
