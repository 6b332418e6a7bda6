using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Halo.Api.Data;

/// <summary>
/// Readiness checks of the store (<c>/health/ready</c>): can it take a write now, and is there room on the data
/// folder's disk. Each provider registers its own write probe under the name <see cref="Database"/>.
/// </summary>
public static class StoreHealthChecks
{
    public const string Database = "database";
    public const string DiskSpace = "disk_space";
    public const string ReadyTag = "ready";

    /// <summary>A probe waits at most this long: a readiness answer must be quick, and a store locked this long is not ready.</summary>
    public const int ProbeTimeoutSeconds = 2;

    public static IServiceCollection AddStoreHealthChecks(this IServiceCollection services, bool postgres)
    {
        var timeout = TimeSpan.FromSeconds(ProbeTimeoutSeconds + 1);
        var checks = services.AddHealthChecks();
        if (postgres) checks.AddCheck<PostgresWriteProbe>(Database, HealthStatus.Unhealthy, [ReadyTag], timeout);
        else checks.AddCheck<SqliteWriteProbe>(Database, HealthStatus.Unhealthy, [ReadyTag], timeout);
        checks.AddCheck<DataFolderSpaceCheck>(DiskSpace, HealthStatus.Unhealthy, [ReadyTag], timeout);
        return services;
    }

    internal static async Task<T> WithCommandAsync<T>(HaloDbContext db, string sql, Func<DbCommand, Task<T>> run, CancellationToken ct)
    {
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var command = db.Database.GetDbConnection().CreateCommand();
            command.CommandText = sql;
            command.CommandTimeout = ProbeTimeoutSeconds;
            return await run(command);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}

/// <summary>
/// SQLite: takes the write lock and lets it go (<c>BEGIN IMMEDIATE; ROLLBACK</c>), which fails when another connection
/// or process holds it, or the file cannot be written. Nothing is written.
/// </summary>
internal sealed class SqliteWriteProbe(HaloDbContext db) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        await StoreHealthChecks.WithCommandAsync(db, "BEGIN IMMEDIATE; ROLLBACK;", c => c.ExecuteNonQueryAsync(ct), ct);
        return HealthCheckResult.Healthy();
    }
}

/// <summary>PostgreSQL: the server answers and accepts writes (not a standby, not read-only by default).</summary>
internal sealed class PostgresWriteProbe(HaloDbContext db) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        var readOnly = await StoreHealthChecks.WithCommandAsync(db,
            "SELECT pg_is_in_recovery() OR current_setting('transaction_read_only') = 'on'",
            async c => await c.ExecuteScalarAsync(ct) is true, ct);
        return readOnly
            ? HealthCheckResult.Unhealthy("The PostgreSQL server is read-only (a standby, or default_transaction_read_only).")
            : HealthCheckResult.Healthy();
    }
}

/// <summary>Free space of the data folder's file system (SQLite file, media, keys) against <see cref="DatabaseOptions.MinFreeDiskMegabytes"/>.</summary>
internal sealed class DataFolderSpaceCheck(IOptions<DatabaseOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        var o = options.Value;
        var free = new DriveInfo(Path.GetFullPath(o.DataDirectory)).AvailableFreeSpace;
        var freeMb = free / (1024 * 1024);
        return Task.FromResult(freeMb < o.MinFreeDiskMegabytes
            ? HealthCheckResult.Unhealthy($"The data folder has {freeMb} MB free, below Database:MinFreeDiskMegabytes ({o.MinFreeDiskMegabytes} MB).")
            : HealthCheckResult.Healthy($"{freeMb} MB free"));
    }
}
