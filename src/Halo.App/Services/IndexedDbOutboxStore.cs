using System.Text.Json;
using Microsoft.JSInterop;

namespace Halo.App.Services;

/// <summary>The outbox in the browser's IndexedDB (halo-outbox.js).</summary>
public sealed class IndexedDbOutboxStore(IJSRuntime js) : IOutboxStore
{
    private Task<IJSObjectReference>? _module;

    private Task<IJSObjectReference> Module() =>
        _module ??= js.InvokeAsync<IJSObjectReference>("import", "./_content/Halo.App/halo-outbox.js").AsTask();

    private static string Json(OutboxItem item) => JsonSerializer.Serialize(item, HaloApiClient.Json);

    public async Task<OutboxItem> AddAsync(OutboxItem item, byte[]? photo, byte[]? clip = null)
    {
        var seq = await (await Module()).InvokeAsync<long>("add", Json(item), photo, item.PhotoType, clip, item.ClipType);
        var stored = item with { Seq = seq };
        await PutAsync(stored); // the JSON carries its own sequence number too
        return stored;
    }

    public async Task PutAsync(OutboxItem item) => await (await Module()).InvokeVoidAsync("put", item.Seq, Json(item));

    public async Task DeleteAsync(long seq) => await (await Module()).InvokeVoidAsync("remove", seq);

    public async Task<IReadOnlyList<OutboxItem>> ListAsync()
    {
        var rows = await (await Module()).InvokeAsync<Row[]>("list");
        var items = new List<OutboxItem>();
        foreach (var row in rows)
        {
            try
            {
                if (JsonSerializer.Deserialize<OutboxItem>(row.Json, HaloApiClient.Json) is { } item) items.Add(item with { Seq = row.Seq });
            }
            catch (JsonException) { /* written by another version of the app: left alone rather than sent wrongly */ }
        }
        return items.OrderBy(i => i.Seq).ToList();
    }

    public async Task<byte[]?> PhotoAsync(long seq) => await (await Module()).InvokeAsync<byte[]?>("photo", seq);

    public async Task<byte[]?> ClipAsync(long seq) => await (await Module()).InvokeAsync<byte[]?>("clip", seq);

    private sealed record Row(long Seq, string Json);
}
