using Halo.Api.Infrastructure;
using Microsoft.Extensions.Options;

namespace Halo.Api.Data;

/// <summary>
/// The provider seam's stateful half: how this store's writers take turns. One per app, chosen at registration.
/// SQLite has one writer per file: writes queue here in memory (<see cref="SqliteWriteGate"/>) instead of meeting
/// SQLITE_BUSY, which Microsoft.Data.Sqlite answers with 150 ms sleeps. PostgreSQL orders its writers itself.
/// </summary>
public abstract class WriteGate
{
    /// <summary>
    /// True when this gate orders every writer of the store, because one process owns it (SQLite); false when other
    /// API instances may write the same store at the same time (PostgreSQL).
    /// </summary>
    public abstract bool OneProcessOwnsTheStore { get; }

    /// <summary>Runs <paramref name="work"/> in turn with every other writer of this process (SQLite); directly otherwise.</summary>
    public abstract Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> work, CancellationToken ct);
}

public sealed class SqliteWriteGate(IOptions<DatabaseOptions> options) : WriteGate
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public override bool OneProcessOwnsTheStore => true;

    public override async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> work, CancellationToken ct)
    {
        // Queue no longer than the store's busy bound: a request that waits longer answers 503 with Retry-After
        // (StoreErrors) instead of hanging while the writer ahead of it is stuck (a locked or full file).
        if (!await _gate.WaitAsync(TimeSpan.FromSeconds(options.Value.BusyTimeoutSeconds), ct))
            throw new StoreBusyException("Writes are queued behind a busy store.");
        try { return await work(ct); }
        finally { _gate.Release(); }
    }
}

public sealed class PostgresWriteGate : WriteGate
{
    public override bool OneProcessOwnsTheStore => false;

    public override Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> work, CancellationToken ct) => work(ct);
}
