using System.Globalization;
using System.Text;
using Halo.Api.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Halo.Api.Features.Backups;

/// <summary>
/// SQLite: SQLite's online backup API copies the file page by page inside one read transaction, so the copy is one
/// consistent moment even while the server keeps writing (WAL lets the writer go on beside the reader).
/// </summary>
internal sealed class SqliteBackupStore(string connectionString) : IBackupStore
{
    private readonly SqliteConnectionStringBuilder _live = new(connectionString);

    public string Provider => "sqlite";
    public string DatabaseEntryName => "halo.db";

    private string LivePath => Path.GetFullPath(_live.DataSource);

    public IReadOnlyList<string> KnownMigrations()
    {
        var options = new DbContextOptionsBuilder<SqliteHaloDbContext>();
        DataRegistration.ConfigureSqlite(options, "Data Source=:memory:");
        using var db = new SqliteHaloDbContext(options.Options);
        return [.. db.Database.GetMigrations()];
    }

    public async Task<DatabaseSnapshot> SnapshotAsync(string file, CancellationToken ct)
    {
        if (!File.Exists(LivePath)) throw new BackupException($"There is no SQLite store at {LivePath} to back up.");
        var source = new SqliteConnectionStringBuilder(_live.ConnectionString) { Mode = SqliteOpenMode.ReadWrite, Pooling = false };
        await using (var from = new SqliteConnection(source.ConnectionString))
        await using (var to = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Pooling = false }.ConnectionString))
        {
            await from.OpenAsync(ct);
            await to.OpenAsync(ct);
            // Waits like the app's own connections when a checkpoint holds the file for a moment.
            await using (var busy = from.CreateCommand())
            {
                busy.CommandText = $"PRAGMA busy_timeout = {Math.Max(1, _live.DefaultTimeout) * 1000}";
                await busy.ExecuteNonQueryAsync(ct);
            }
            await Task.Run(() => from.BackupDatabase(to), ct);
            // The copy is one self-contained file: no -wal beside it.
            await using var mode = to.CreateCommand();
            mode.CommandText = "PRAGMA journal_mode = DELETE";
            await mode.ExecuteNonQueryAsync(ct);
        }
        return await MeasureAsync(file, ct);
    }

    public Task<IStagedDatabase> StageAsync(string file, CancellationToken ct)
    {
        var staging = $"{LivePath}.restore-{Guid.NewGuid():N}";
        Directory.CreateDirectory(Path.GetDirectoryName(LivePath)!);
        File.Move(file, staging);
        return Task.FromResult<IStagedDatabase>(new Staged(this, staging));
    }

    private static async Task<DatabaseSnapshot> MeasureAsync(string file, CancellationToken ct)
    {
        await using var conn = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ConnectionString);
        try
        {
            await conn.OpenAsync(ct);
            await using (var check = conn.CreateCommand())
            {
                check.CommandText = "PRAGMA quick_check";
                if (await check.ExecuteScalarAsync(ct) is not "ok") throw new BackupException("The database in the archive fails SQLite's integrity check.");
            }
            var tables = new List<string>();
            await using (var list = conn.CreateCommand())
            {
                list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name";
                await using var r = await list.ExecuteReaderAsync(ct);
                while (await r.ReadAsync(ct)) tables.Add(r.GetString(0));
            }
            var summaries = new SortedDictionary<string, TableSummary>(StringComparer.Ordinal);
            foreach (var table in tables)
            {
                var hash = new RowSetHash();
                await using var select = conn.CreateCommand();
                select.CommandText = $"SELECT * FROM \"{table.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
                await using var r = await select.ExecuteReaderAsync(ct);
                var row = new StringBuilder();
                while (await r.ReadAsync(ct))
                {
                    row.Clear();
                    for (var i = 0; i < r.FieldCount; i++)
                    {
                        // Typed, so 1 and '1' differ; separated by a unit separator.
                        row.Append(r.IsDBNull(i) ? "n" : r.GetValue(i) switch
                        {
                            long l => "i" + l.ToString(CultureInfo.InvariantCulture),
                            double d => "r" + d.ToString("R", CultureInfo.InvariantCulture),
                            string s => "t" + s,
                            byte[] b => "b" + Convert.ToBase64String(b),
                            var other => "o" + Convert.ToString(other, CultureInfo.InvariantCulture),
                        }).Append('\u001f');
                    }
                    hash.Add(row.ToString());
                }
                summaries[table] = hash.Finish();
            }
            string? migration = null;
            if (tables.Contains("__EFMigrationsHistory"))
            {
                await using var last = conn.CreateCommand();
                last.CommandText = "SELECT MigrationId FROM \"__EFMigrationsHistory\" ORDER BY MigrationId DESC LIMIT 1";
                migration = await last.ExecuteScalarAsync(ct) as string;
            }
            return new DatabaseSnapshot(migration, summaries);
        }
        catch (SqliteException ex)
        {
            throw new BackupException($"The database in the archive cannot be read as SQLite: {ex.Message}", ex);
        }
    }

    private sealed class Staged(SqliteBackupStore store, string path) : IStagedDatabase
    {
        private bool _placed;

        public Task<DatabaseSnapshot> MeasureAsync(CancellationToken ct) => SqliteBackupStore.MeasureAsync(path, ct);

        public async Task MigrateAsync(CancellationToken ct)
        {
            var options = new DbContextOptionsBuilder<SqliteHaloDbContext>();
            DataRegistration.ConfigureSqlite(options, new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ConnectionString);
            await using var db = new SqliteHaloDbContext(options.Options);
            await db.Database.MigrateAsync(ct);
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
        }

        public Task<string?> ReplaceTargetAsync(string stamp, CancellationToken ct)
        {
            // This process's pooled connections still point at the old file.
            SqliteConnection.ClearAllPools();
            var live = store.LivePath;
            string? previous = null;
            if (File.Exists(live))
            {
                previous = $"{live}.pre-restore-{stamp}";
                File.Move(live, previous);
                // The old file's WAL holds its latest commits: it goes with it. Its shared-memory index is rebuilt.
                if (File.Exists(live + "-wal")) File.Move(live + "-wal", previous + "-wal");
                if (File.Exists(live + "-shm")) File.Delete(live + "-shm");
            }
            File.Move(path, live);
            _placed = true;
            return Task.FromResult(previous);
        }

        public ValueTask DisposeAsync()
        {
            if (!_placed)
            {
                SqliteConnection.ClearAllPools();
                foreach (var suffix in new[] { "", "-wal", "-shm", "-journal" })
                    if (File.Exists(path + suffix)) File.Delete(path + suffix);
            }
            return ValueTask.CompletedTask;
        }
    }
}
