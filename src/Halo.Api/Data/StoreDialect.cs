using System.Data.Common;
using Halo.Api.Features.Incidents;
using Microsoft.EntityFrameworkCore;

namespace Halo.Api.Data;

/// <summary>
/// The provider seam's query half: every way SQL differs between SQLite and PostgreSQL, as questions feature code asks
/// (<see cref="HaloDbContext.Dialect"/>), never by testing which context it holds. Stateless; the stateful half (how
/// writers take turns) is <see cref="WriteGate"/>, and feature services whose whole protocol differs by provider are
/// chosen at registration (<see cref="DataRegistration.AddForProvider{TService, TSqlite, TPostgres}"/>).
/// </summary>
public abstract class StoreDialect
{
    /// <summary>
    /// A table read through a named index where the store takes index hints (SQLite's planner picks badly for the
    /// time-ordered and centroid scans, ADR 3); the plain set elsewhere (PostgreSQL plans these well on its own).
    /// </summary>
    public abstract IQueryable<T> ThroughIndex<T>(HaloDbContext db, string table, string index) where T : class;

    /// <summary>The same hint in hand-written SQL, to follow <c>FROM table</c>; empty where there are none.</summary>
    public abstract string IndexHintSql(string index);

    /// <summary>
    /// True where a dense area is better walked in time order first (SQLite, ADR 3): its planner always takes the
    /// lat/lon index for a box and sorts every row in it.
    /// </summary>
    public abstract bool SplitsDenseAreaScans { get; }

    /// <summary>
    /// True when <see cref="WithinRadius"/> and <see cref="WithinRadiusSql"/> are exact (PostGIS on a sphere); false
    /// when they are a bounding-box prefilter and the caller checks the haversine distance itself (SQLite). Both
    /// providers use the sphere model, so the final answers agree.
    /// </summary>
    public abstract bool RadiusIsExact { get; }

    public abstract IQueryable<Incident> WithinRadius(IQueryable<Incident> q, double lat, double lon, double radiusM);

    /// <summary>The radius filter as a SQL condition over the incidents table; <paramref name="param"/> adds a parameter.</summary>
    public abstract string WithinRadiusSql(Func<object, string> param, double lat, double lon, double radiusM);

    /// <summary>Nearest first, in SQL; null where the store cannot rank by distance (the caller ranks in memory).</summary>
    public abstract IQueryable<Incident>? NearestFirst(IQueryable<Incident> q, double lat, double lon);

    /// <summary>A parameter value in the form the store keeps it (SQLite: UTC ticks, upper-case GUID text, 0/1).</summary>
    public abstract object ToStored(object value);

    public abstract Guid ReadGuid(DbDataReader r, int i);

    /// <summary>A UTC instant read from hand-written SQL.</summary>
    public abstract DateTime ReadInstant(DbDataReader r, int i);

    /// <summary>
    /// Adds new incidents in bulk, saved with the caller's next <c>SaveChangesAsync</c> at the latest: PostgreSQL
    /// writes them at once with binary COPY (<see cref="PostgresCopy"/>); SQLite tracks them, and its batched inserts
    /// are its fast path.
    /// </summary>
    public abstract Task AddIncidentsAsync(HaloDbContext db, IReadOnlyList<Incident> rows, CancellationToken ct);

    /// <summary>
    /// Locks the rows <paramref name="selectSql"/> selects until the caller's transaction ends, so that a check over them
    /// and the write it guards are one step. PostgreSQL takes row locks (<c>FOR UPDATE</c>: a second guard waits, then
    /// reads what the first committed) instead of failing one of two serializable transactions, which EF logs as an
    /// error before the retry; SQLite needs none, because its transactions hold the file's write lock from BEGIN.
    /// </summary>
    public abstract Task LockRowsAsync(HaloDbContext db, string selectSql, object[] values, CancellationToken ct);

    /// <summary>
    /// A trace span for a hand-written command run on the context's connection, or null. EF Core's instrumentation sees
    /// only EF's own commands, and Npgsql traces every command itself, but Microsoft.Data.Sqlite traces none: without
    /// this, the incident list (the busiest read) would show no database time in a trace on SQLite.
    /// </summary>
    public abstract System.Diagnostics.Activity? StartCommandSpan(DbCommand command);

    /// <summary>Which store this is, for a command's output (file or database and server), so a setting that did not arrive shows at once.</summary>
    public abstract string Describe(DbConnection connection);

    /// <summary>Applies the pending migrations.</summary>
    public virtual Task MigrateAsync(HaloDbContext db, CancellationToken ct) => db.Database.MigrateAsync(ct);
}
