using Halo.Api.Data;
using Halo.Api.Features.Geo;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Halo.Api.Features.Reports;

/// <summary>
/// Serialises cluster decisions (read candidates → decide → write) that could affect each other, so simultaneous
/// reports of one event end in one cluster with exact counts.
/// </summary>
/// <remarks>
/// <para><b>PostgreSQL: per-area transaction-scoped advisory locks</b> (they also hold across several API instances).
/// A submission takes, in one round trip and in this order: <see cref="AdvisoryKey"/> in <i>shared</i> mode, then, in
/// ascending key order, an exclusive lock on every lock cell (<see cref="CellLatDegrees"/> × <see cref="CellLonDegrees"/>)
/// that its candidate bounding box (<see cref="Haversine.BoundingBox"/> of the 2 km candidate radius) touches. If it
/// then joins an official incident or a cluster linked to one, it also takes <see cref="OfficialKey"/> of that incident (<see cref="PostgresClusterLock.AddOfficialLockCommand"/>)
/// before reading the cluster linked to it. Moderation takes <see cref="AdvisoryKey"/> exclusively, which waits for
/// every running submission and holds off new ones: a moderator's reject/verify/merge changes clusters anywhere.</para>
/// <para>Why that is enough. A submission reads the citizen clusters whose stored centroid lies in its candidate box,
/// and writes one cluster: a new one at its own point (inside its box), an existing citizen candidate (centroid inside
/// its box; the new centroid is a mean of that centroid and the report's point, so inside the box too), or the cluster
/// linked to the official incident it matched. So two submissions whose boxes share no lock cell neither read what the
/// other writes in the area, and two that might end in the same citizen cluster always share the cell holding that
/// cluster's centroid. The official-linked cluster may lie anywhere (a county-wide police event): every submission that
/// writes it — one that matched the official incident, or one that chose the linked cluster as a nearby citizen
/// candidate — takes <see cref="OfficialKey"/> of that incident and reads the cluster again under it. So every writer of
/// a cluster holds the lock that covers it (its centroid's cell if it is citizen-only, its official incident's key if
/// linked), the row read under that lock is current, and a join writes the new counters, centroid and incident state
/// from it in one batch with the report (no update-and-re-read). The linked cluster is created once (the key, backed by
/// the unique index), and the official row's citizen columns are only written under its key too. The same device
/// racing itself through two lock paths is caught by the unique (cluster, device) index; that submission is retried once
/// and then answers 409 like any other duplicate.</para>
/// <para>Deadlock freedom: every submission acquires its keys in one global order: the shared global key first, then
/// ascending bigint keys. Official keys carry a higher tag than area keys, so the official key, taken last, is also the
/// largest; and moderation holds only the global key.</para>
/// <para><b>SQLite</b>: the store's write gate (<see cref="WriteGate"/>, one per process) plus <c>BEGIN IMMEDIATE</c>
/// (SQLite has a single writer anyway); several API processes on one SQLite file stay correct through the immediate
/// write lock but should use PostgreSQL.</para>
/// <para>One implementation per provider, chosen at registration (<see cref="DataRegistration.AddForProvider{TService, TSqlite, TPostgres}"/>).</para>
/// </remarks>
public abstract class ClusterLock
{
    /// <summary>"halo-clu" in ASCII: shared by every submission, exclusive for moderation decisions.</summary>
    public const long AdvisoryKey = 0x68616c6f2d636c75;

    /// <summary>
    /// Lock cell height, ~1.1 km. Any size is correct (all cells the box touches are locked). Smaller cells lock a
    /// tighter area, so fewer false conflicts, for more keys (4–5 a side, one statement either way). Every API
    /// instance must use the same grid, so it is not an option.
    /// </summary>
    public const double CellLatDegrees = 0.01;

    /// <summary>Lock cell width, ~1.1 km at 59° N.</summary>
    public const double CellLonDegrees = 0.02;

    // Key namespaces in the high 16 bits, so area and official keys never meet by construction ("HA", "HO").
    private const long AreaTag = 0x4841L << 48;
    private const long OfficialTag = 0x484FL << 48;

    private const int MaxCells = 100;

    /// <summary>
    /// The area keys a submission at this point must hold: every lock cell the candidate box touches; ascending (the
    /// acquisition order). Empty when the box is too large to lock cell by cell (the whole-country lock instead).
    /// </summary>
    public static long[] SubmissionKeys(double lat, double lon, double radiusM)
    {
        var box = Haversine.BoundingBox(lat, lon, radiusM);
        // Near the poles the box spans every longitude: too many cells, take the whole-country lock instead.
        if ((LatIndex(box.MaxLat) - LatIndex(box.MinLat) + 1) * (LonIndex(box.MaxLon) - LonIndex(box.MinLon) + 1) > MaxCells) return [];
        var keys = new List<long>();
        for (var y = LatIndex(box.MinLat); y <= LatIndex(box.MaxLat); y++)
            for (var x = LonIndex(box.MinLon); x <= LonIndex(box.MaxLon); x++)
                keys.Add(AreaTag | (y << 24) | x);
        keys.Sort();
        return keys.Distinct().ToArray();
    }

    /// <summary>The lock cell of a point: (latitude index, longitude index).</summary>
    public static (long Y, long X) Cell(double lat, double lon) => (LatIndex(lat), LonIndex(lon));

    private static long LatIndex(double lat) => (long)Math.Floor((Math.Clamp(lat, -90, 90) + 90) / CellLatDegrees);
    private static long LonIndex(double lon) => (long)Math.Floor((Math.Clamp(lon, -180, 180) + 180) / CellLonDegrees);

    /// <summary>A stable 48-bit digest of the official incident's id, in its own key namespace.</summary>
    public static long OfficialKey(Guid id)
    {
        Span<byte> b = stackalloc byte[16];
        id.TryWriteBytes(b);
        var h = BitConverter.ToInt64(b[..8]) ^ BitConverter.ToInt64(b[8..]);
        return OfficialTag | (h & 0xFFFF_FFFF_FFFFL);
    }

    /// <summary>Runs <paramref name="work"/> in one transaction excluding every submission and other decision (moderation).</summary>
    public abstract Task<T> RunAsync<T>(HaloDbContext db, Func<CancellationToken, Task<T>> work, CancellationToken ct);

    /// <summary>
    /// Runs a submission's decision in one transaction holding <paramref name="keys"/> (<see cref="SubmissionKeys"/>);
    /// no keys (a box too large to lock cell by cell) means the exclusive whole-country lock. On PostgreSQL with keys,
    /// <paramref name="work"/> gets the keys and must send <see cref="PostgresClusterLock.AddLockCommand"/> before its
    /// first read, in the same batch: that saves the lock its own round trip, which would otherwise be spent holding
    /// the lock. Otherwise it gets null (already locked).
    /// </summary>
    public abstract Task<T> RunSubmissionAsync<T>(HaloDbContext db, long[] keys, Func<long[]?, CancellationToken, Task<T>> work, CancellationToken ct);

    /// <summary>
    /// A failed write ends the whole decision (its transaction rolls back), so EF's savepoint around each SaveChanges
    /// only costs two statements, and a client that leaves mid-write made EF's rollback to it fail and log an error.
    /// Pooled contexts get the setting back on return.
    /// </summary>
    protected static void NoSavepoints(HaloDbContext db) => db.Database.AutoSavepointsEnabled = false;
}

/// <summary>SQLite: every decision passes the store's one write gate and runs in a <c>BEGIN IMMEDIATE</c> transaction.</summary>
public sealed class SqliteClusterLock(WriteGate gate) : ClusterLock
{
    public override Task<T> RunAsync<T>(HaloDbContext db, Func<CancellationToken, Task<T>> work, CancellationToken ct) =>
        RunSubmissionAsync<T>(db, [], (_, token) => work(token), ct);

    public override Task<T> RunSubmissionAsync<T>(HaloDbContext db, long[] keys, Func<long[]?, CancellationToken, Task<T>> work, CancellationToken ct) =>
        gate.RunAsync(async token =>
        {
            db.ChangeTracker.Clear();
            // Microsoft.Data.Sqlite begins IMMEDIATE: the write lock is taken before the candidates are read.
            await using var tx = await db.Database.BeginTransactionAsync(token);
            NoSavepoints(db);
            var result = await work(null, token);
            // The decision is written: a client that leaves now still gets its answer on retry (the idempotency record
            // commits with the report), so the commit does not follow the request's cancellation.
            await tx.CommitAsync(CancellationToken.None);
            return result;
        }, ct);
}

/// <summary>PostgreSQL: per-area transaction-scoped advisory locks (see <see cref="ClusterLock"/>).</summary>
public sealed class PostgresClusterLock(IOptions<ReportsOptions> options) : ClusterLock
{
    /// <summary>
    /// Bounds the decisions this instance runs at once (<see cref="ReportsOptions.MaxConcurrentDecisions"/>).
    /// Queueing here, before any lock is taken, costs nothing; far past the core count, lock holders are descheduled
    /// while holding their cells and the tail grows.
    /// </summary>
    private readonly SemaphoreSlim _decisions = new(options.Value.MaxConcurrentDecisions is > 0 and var n ? n : 4 * Environment.ProcessorCount);

    /// <summary>
    /// Inside a submission holding its area keys: appends the statement taking the official incident's key. It sorts
    /// after every area key (its tag is higher), so the global acquisition order holds.
    /// </summary>
    public static void AddOfficialLockCommand(NpgsqlBatch batch, Guid official)
    {
        var command = new NpgsqlBatchCommand("SELECT pg_advisory_xact_lock($1)");
        command.Parameters.Add(new NpgsqlParameter { Value = OfficialKey(official) });
        batch.BatchCommands.Add(command);
    }

    /// <summary>Appends the submission lock statement (shared global key, then the keys in order) to a batch.</summary>
    public static void AddLockCommand(NpgsqlBatch batch, long[] keys)
    {
        // Statements of a batch run in order, each with its own snapshot (READ COMMITTED): reads after this one see
        // everything committed by the holders it waited for.
        // Two statements, so the global key is surely first; unnest yields the (ascending) keys in array order.
        var global = new NpgsqlBatchCommand("SELECT pg_advisory_xact_lock_shared($1)");
        global.Parameters.Add(new NpgsqlParameter { Value = AdvisoryKey });
        var area = new NpgsqlBatchCommand("SELECT pg_advisory_xact_lock(k) FROM unnest($1::bigint[]) AS k");
        area.Parameters.Add(new NpgsqlParameter { Value = keys });
        batch.BatchCommands.Add(global);
        batch.BatchCommands.Add(area);
    }

    public override Task<T> RunAsync<T>(HaloDbContext db, Func<CancellationToken, Task<T>> work, CancellationToken ct) =>
        RunCoreAsync<T>(db, null, (_, token) => work(token), ct);

    public override Task<T> RunSubmissionAsync<T>(HaloDbContext db, long[] keys, Func<long[]?, CancellationToken, Task<T>> work, CancellationToken ct) =>
        RunCoreAsync(db, keys.Length == 0 ? null : keys, work, ct);

    private async Task<T> RunCoreAsync<T>(HaloDbContext db, long[]? keys, Func<long[]?, CancellationToken, Task<T>> work, CancellationToken ct)
    {
        await _decisions.WaitAsync(ct);
        try { return await RunLockedAsync(db, keys, work, ct); }
        finally { _decisions.Release(); }
    }

    private static async Task<T> RunLockedAsync<T>(HaloDbContext db, long[]? keys, Func<long[]?, CancellationToken, Task<T>> work, CancellationToken ct)
    {
        // The provider's retry strategy requires user transactions to run inside it; each try starts clean.
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async token =>
        {
            for (var attempt = 1; ; attempt++)
            {
                db.ChangeTracker.Clear();
                await using var tx = await db.Database.BeginTransactionAsync(token);
                NoSavepoints(db);
                try
                {
                    // Npgsql sends BEGIN with the next statement: the lock (or the work's first batch) costs one round trip.
                    if (keys is null)
                        await db.Database.ExecuteSqlRawAsync("SELECT pg_advisory_xact_lock({0})", [AdvisoryKey], token);
                    var result = await work(keys, token);
                    await tx.CommitAsync(CancellationToken.None); // as SqliteClusterLock: a written decision commits
                    return result;
                }
                catch (DbUpdateException e) when (keys is not null && attempt == 1
                    && e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
                {
                    // The same device joined this cluster through another lock path a moment ago (see remarks):
                    // decide again, now seeing that report, which ends as the usual 409.
                    await tx.RollbackAsync(token);
                }
            }
        }, ct);
    }
}
