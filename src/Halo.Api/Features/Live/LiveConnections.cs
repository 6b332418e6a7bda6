namespace Halo.Api.Features.Live;

/// <summary>
/// Open hub connections per client network on this instance (<see cref="Infrastructure.ClientNetwork"/>), so that one
/// network cannot hold more than <see cref="LiveOptions.MaxConnectionsPerNetwork"/>: the reads rate limit bounds how
/// fast connections open, not how many stay open, and each holds about 50 KB (bench/RESULTS-live.md).
/// </summary>
public sealed class LiveConnections
{
    private readonly Dictionary<string, int> _open = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>Counts a connection of <paramref name="network"/> in, unless it already has <paramref name="max"/> open.</summary>
    public bool TryOpen(string network, int max)
    {
        lock (_gate)
        {
            var open = _open.GetValueOrDefault(network);
            if (open >= max) return false;
            _open[network] = open + 1;
            return true;
        }
    }

    public void Close(string network)
    {
        lock (_gate)
        {
            if (!_open.TryGetValue(network, out var open)) return;
            if (open <= 1) _open.Remove(network);
            else _open[network] = open - 1;
        }
    }

    public int OpenFrom(string network)
    {
        lock (_gate) return _open.GetValueOrDefault(network);
    }
}
