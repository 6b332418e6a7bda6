namespace Halo.Api.Features.Incidents;

/// <summary>
/// Remembers, for a couple of seconds, where the newest-rows scan of a first page stops (see ADR 3). Any split point
/// gives an exact page (the two parts always partition the keyset), so a slightly stale one only costs a few more
/// index entries — and saves one query on the hottest request of the map.
/// </summary>
public sealed class DenseScanSplit(TimeProvider clock)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(2);

    private sealed record Entry(PageCursor? Split, int Rows, DateTimeOffset At);

    private Entry? _first;

    public async Task<PageCursor?> GetAsync(PageCursor? after, int rows, Func<Task<PageCursor?>> compute)
    {
        if (after is not null) return await compute();
        var now = clock.GetUtcNow();
        if (Volatile.Read(ref _first) is { } e && e.Rows == rows && now - e.At < Lifetime && now >= e.At) return e.Split;
        var split = await compute();
        Volatile.Write(ref _first, new Entry(split, rows, now));
        return split;
    }
}
