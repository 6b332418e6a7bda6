using System.Data;
using Halo.Api.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Halo.Api.Features.Backups;

/// <summary>
/// PostgreSQL: <c>pg_dump -Fc</c> reads the snapshot of a repeatable-read transaction that Halo holds open and measures
/// too, so the dump and the manifest's row counts and checksums describe the same moment while the server writes. A
/// restore loads the dump into a new database beside the live one, checks and migrates it there, and only then swaps
/// the names (the previous database is kept under a new name).
/// </summary>
internal sealed class PostgresBackupStore(string connectionString, string? binDirectory) : IBackupStore
{
    private readonly NpgsqlConnectionStringBuilder _live = new(connectionString);

    public string Provider => "postgres";
    public string DatabaseEntryName => "halo.pgdump";

    public IReadOnlyList<string> KnownMigrations()
    {
        var options = new DbContextOptionsBuilder<PostgresHaloDbContext>();
        DataRegistration.ConfigurePostgres(options, "Host=localhost");
        using var db = new PostgresHaloDbContext(options.Options);
        return [.. db.Database.GetMigrations()];
    }

    private string For(string database) => new NpgsqlConnectionStringBuilder(_live.ConnectionString) { Database = database, Pooling = false }.ConnectionString;

    private string Maintenance => For("postgres");

    public async Task<DatabaseSnapshot> SnapshotAsync(string file, CancellationToken ct)
    {
        var pgDump = PostgresTools.Find("pg_dump", binDirectory);
        await using var conn = new NpgsqlConnection(For(_live.Database!));
        await conn.OpenAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
        string snapshot;
        await using (var export = new NpgsqlCommand("SELECT pg_export_snapshot()", conn, tx))
            snapshot = (string)(await export.ExecuteScalarAsync(ct))!;
        await PostgresTools.RunAsync(pgDump, ["--format=custom", "--no-comments", $"--snapshot={snapshot}", $"--file={file}"], For(_live.Database!), ct);
        var measured = await MeasureAsync(conn, tx, ct);
        await tx.CommitAsync(ct);
        return measured;
    }

    private static async Task<DatabaseSnapshot> MeasureAsync(NpgsqlConnection conn, NpgsqlTransaction tx, CancellationToken ct)
    {
        // A row's text form depends on these session settings; fixed, the same rows always read the same.
        await using (var settings = new NpgsqlCommand("SET LOCAL TimeZone = 'UTC'; SET LOCAL DateStyle = 'ISO, YMD'; SET LOCAL IntervalStyle = 'postgres'; " +
                                                      "SET LOCAL extra_float_digits = 1; SET LOCAL bytea_output = 'hex'", conn, tx))
            await settings.ExecuteNonQueryAsync(ct);
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand(
                         "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'spatial_ref_sys' ORDER BY tablename COLLATE \"C\"", conn, tx))
        await using (var r = await list.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct)) tables.Add(r.GetString(0));
        var summaries = new SortedDictionary<string, TableSummary>(StringComparer.Ordinal);
        foreach (var table in tables)
        {
            var hash = new RowSetHash();
            await using var select = new NpgsqlCommand($"SELECT t::text FROM public.\"{table.Replace("\"", "\"\"", StringComparison.Ordinal)}\" t", conn, tx);
            await using var r = await select.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) hash.Add(r.GetString(0));
            summaries[table] = hash.Finish();
        }
        string? migration = null;
        if (tables.Contains("__EFMigrationsHistory"))
        {
            await using var last = new NpgsqlCommand("SELECT \"MigrationId\" FROM \"__EFMigrationsHistory\" ORDER BY \"MigrationId\" COLLATE \"C\" DESC LIMIT 1", conn, tx);
            migration = await last.ExecuteScalarAsync(ct) as string;
        }
        return new DatabaseSnapshot(migration, summaries);
    }

    public async Task<IStagedDatabase> StageAsync(string file, CancellationToken ct)
    {
        var pgRestore = PostgresTools.Find("pg_restore", binDirectory);
        var name = $"{Shorten(_live.Database!)}_restore_{Guid.NewGuid().ToString("N")[..8]}";
        await using (var conn = new NpgsqlConnection(Maintenance))
        {
            await conn.OpenAsync(ct);
            try
            {
                await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", conn);
                await create.ExecuteNonQueryAsync(ct);
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InsufficientPrivilege)
            {
                throw new BackupException($"A restore loads the archive into a new database first, and {_live.Username} may not create one " +
                                          "(it needs CREATEDB, and to own the live database). Nothing was changed.", ex);
            }
        }
        var staged = new Staged(this, name);
        try
        {
            await PostgresTools.RunAsync(pgRestore, ["--exit-on-error", "--no-owner", "--no-privileges", "--no-comments", $"--dbname={name}", file], For(name), ct);
            return staged;
        }
        catch
        {
            await staged.DisposeAsync();
            throw;
        }
    }

    private static string Shorten(string database) => database.Length > 35 ? database[..35] : database;

    private sealed class Staged(PostgresBackupStore store, string name) : IStagedDatabase
    {
        private bool _placed;

        public async Task<DatabaseSnapshot> MeasureAsync(CancellationToken ct)
        {
            await using var conn = new NpgsqlConnection(store.For(name));
            await conn.OpenAsync(ct);
            await using var tx = await conn.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
            return await PostgresBackupStore.MeasureAsync(conn, tx, ct);
        }

        public async Task MigrateAsync(CancellationToken ct)
        {
            var options = new DbContextOptionsBuilder<PostgresHaloDbContext>();
            DataRegistration.ConfigurePostgres(options, store.For(name));
            await using var db = new PostgresHaloDbContext(options.Options);
            await db.Dialect.MigrateAsync(db, ct);
        }

        public async Task<string?> ReplaceTargetAsync(string stamp, CancellationToken ct)
        {
            // A database is renamed only with nobody connected: this process's idle pooled connections go first.
            NpgsqlConnection.ClearAllPools();
            var live = store._live.Database!;
            await using var conn = new NpgsqlConnection(store.Maintenance);
            await conn.OpenAsync(ct);
            await using (var others = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE datname = @d AND pid <> pg_backend_pid()", conn))
            {
                others.Parameters.AddWithValue("d", live);
                if ((long)(await others.ExecuteScalarAsync(ct))! is var n and > 0)
                    throw new BackupException($"{n} session(s) are connected to the database {live}: stop every Halo instance (and other clients) " +
                                              "before restoring. The archive was verified; nothing was changed.");
            }
            bool exists;
            await using (var find = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @d", conn))
            {
                find.Parameters.AddWithValue("d", live);
                exists = await find.ExecuteScalarAsync(ct) is not null;
            }
            string? previous = null;
            // Both renames in one transaction: the live name never points at nothing.
            await using var tx = await conn.BeginTransactionAsync(ct);
            if (exists)
            {
                previous = $"{Shorten(live)}_pre_restore_{stamp}";
                await using var keep = new NpgsqlCommand($"ALTER DATABASE \"{live}\" RENAME TO \"{previous}\"", conn, tx);
                await keep.ExecuteNonQueryAsync(ct);
            }
            await using (var place = new NpgsqlCommand($"ALTER DATABASE \"{name}\" RENAME TO \"{live}\"", conn, tx))
                await place.ExecuteNonQueryAsync(ct);
            await tx.CommitAsync(ct);
            _placed = true;
            return previous;
        }

        public async ValueTask DisposeAsync()
        {
            if (_placed) return;
            NpgsqlConnection.ClearAllPools();
            await using var conn = new NpgsqlConnection(store.Maintenance);
            await conn.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", conn);
            await drop.ExecuteNonQueryAsync();
        }
    }
}
