using Halo.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace Halo.Api.Features.Reports;

/// <summary>
/// Serialises cluster decisions (read candidates → decide → write), so simultaneous reports of one event end in one
/// cluster with exact counts. PostgreSQL: a transaction-scoped advisory lock, which also holds across several API
/// instances. SQLite: a process-wide semaphore plus <c>BEGIN IMMEDIATE</c> (SQLite has a single writer anyway); several
/// API processes on one SQLite file stay correct through the immediate write lock but should use PostgreSQL.
/// </summary>
/// <remarks>
/// The advisory key is one constant for all of Sweden. A per-area key (an H3 res-5 cell) would be finer, but a report
/// near a cell edge reads clusters in the neighbouring cell, so it would have to lock every cell its 2 km candidate disk
/// touches, and a match against a county-wide police event can reach far further. One key is simply correct, but on
/// PostgreSQL it caps throughput at ~170 reports/s on the 2-core bench machine (bench/RESULTS-reports.md lists the
/// per-area scheme that should replace it).
/// </remarks>
public sealed class ClusterLock
{
    /// <summary>"halo-clu" in ASCII: the namespace of Halo's cluster-decision advisory lock.</summary>
    public const long AdvisoryKey = 0x68616c6f2d636c75;

    private readonly SemaphoreSlim _sqlite = new(1, 1);

    /// <summary>
    /// SQLite only: runs a small write outside the cluster transaction (idempotency bookkeeping) through the same gate,
    /// so writers queue here instead of hitting SQLITE_BUSY, which Microsoft.Data.Sqlite answers with 150 ms sleeps.
    /// On PostgreSQL it just runs.
    /// </summary>
    public async Task<T> WriteAsync<T>(HaloDbContext db, Func<Task<T>> write, CancellationToken ct)
    {
        if (db is PostgresHaloDbContext) return await write();
        await _sqlite.WaitAsync(ct);
        try { return await write(); }
        finally { _sqlite.Release(); }
    }

    public async Task<T> RunAsync<T>(HaloDbContext db, Func<CancellationToken, Task<T>> work, CancellationToken ct)
    {
        if (db is PostgresHaloDbContext)
        {
            // The provider's retry strategy requires user transactions to run inside it; each try starts clean.
            var strategy = db.Database.CreateExecutionStrategy();
            return await strategy.ExecuteAsync(async token =>
            {
                db.ChangeTracker.Clear();
                await using var tx = await db.Database.BeginTransactionAsync(token);
                await db.Database.ExecuteSqlRawAsync("SELECT pg_advisory_xact_lock({0})", [AdvisoryKey], token);
                var result = await work(token);
                await tx.CommitAsync(token);
                return result;
            }, ct);
        }

        await _sqlite.WaitAsync(ct);
        try
        {
            db.ChangeTracker.Clear();
            // Microsoft.Data.Sqlite begins IMMEDIATE: the write lock is taken before the candidates are read.
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var result = await work(ct);
            await tx.CommitAsync(ct);
            return result;
        }
        finally
        {
            _sqlite.Release();
        }
    }
}
