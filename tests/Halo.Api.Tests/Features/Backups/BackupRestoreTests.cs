using System.Text.Json.Nodes;
using Halo.Api.Data;
using Halo.Api.Features.Backups;
using Halo.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using static Halo.Api.Tests.Features.Backups.BackupTestSupport;

namespace Halo.Api.Tests.Features.Backups;

/// <summary>
/// <c>backup FILE</c> on a serving app, <c>restore</c> into a store nobody serves yet, then the app over the restored
/// store: docs/backups.md, on both providers.
/// </summary>
public sealed class BackupRestoreTests
{
    private static async Task<(int Code, string Out, string Error)> CliAsync(HaloApiFactory app, params string[] args)
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        var code = await Program.Commands.InvokeAsync(app.Services, args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    private static async Task<BackupManifest> BackupAsync(HaloApiFactory app, string archive)
    {
        var (code, _, error) = await CliAsync(app, "backup", archive);
        Assert.True(code == 0, error);
        return await ReadManifestAsync(archive);
    }

    private static async Task<BackupManifest> ReadManifestAsync(string archive)
    {
        byte[]? json = null;
        await RewriteAsync(archive, (name, data) =>
        {
            if (name == BackupManifest.EntryName) json = data;
            return data;
        });
        return BackupManifest.Parse(json!);
    }

    [Theory]
    [InlineData(DbProvider.Sqlite)]
    [InlineData(DbProvider.Postgres)]
    public async Task ARoundTripBringsBackEveryKeyTableWithItsRowCountAndChecksumAndEveryMediaFile(DbProvider provider)
    {
        var archive = NewArchivePath();
        BackupManifest taken;
        Dictionary<string, byte[]> media;
        int incidents;
        using (var app = new HaloApiFactory(provider))
        {
            media = await SeedAsync(app);
            incidents = await app.WithDb(db => db.Incidents.CountAsync());
            taken = await BackupAsync(app, archive);
        }
        Assert.Equal(provider == DbProvider.Postgres ? "postgres" : "sqlite", taken.Provider);
        Assert.All(KeyTables, t => Assert.True(taken.Tables[t].Rows > 0, t));
        Assert.Equal(media.Keys.Select(k => "media/" + k).Order(), taken.Media.Select(m => m.Path).Order());

        using var target = new EmptyTarget(provider);
        var restored = await target.Service().RestoreAsync(archive, CancellationToken.None);
        Assert.Null(restored.PreviousDatabase);
        using var served = target.Serve();
        Assert.Equal(incidents, await served.WithDb(db => db.Incidents.CountAsync()));
        foreach (var (name, bytes) in media) Assert.Equal(bytes, await File.ReadAllBytesAsync(Path.Combine(target.DataDirectory, "media", name)));
        // The served store, backed up again, holds the very same rows in every key table.
        var again = await BackupAsync(served, NewArchivePath());
        Assert.All([.. KeyTables, "audit_log", "media_items"], t => Assert.Equal(taken.Tables[t], again.Tables[t]));
        Assert.False(File.Exists(archive + ".partial"));
    }

    [Theory]
    [InlineData(DbProvider.Sqlite)]
    [InlineData(DbProvider.Postgres)]
    public async Task ABackupTakenWhileTheServerWritesHoldsOneConsistentMoment(DbProvider provider)
    {
        using var app = new HaloApiFactory(provider);
        await SeedAsync(app, incidents: 3000);
        // Each write commits two incidents at once: a consistent copy holds both or neither.
        var pairs = TestIncidents.NewSource();
        using var stop = new CancellationTokenSource();
        var written = 0;
        var writer = Task.Run(async () =>
        {
            var now = app.Clock.GetUtcNow().UtcDateTime;
            while (!stop.IsCancellationRequested)
            {
                await app.WithDb(async db =>
                {
                    db.Incidents.AddRange(TestIncidents.Make(pairs, 59.4, 18.1, now), TestIncidents.Make(pairs, 59.41, 18.11, now));
                    return await db.SaveChangesAsync();
                });
                Interlocked.Increment(ref written);
            }
        });
        while (Volatile.Read(ref written) < 5) await Task.Delay(10);
        var before = Volatile.Read(ref written);
        var archive = NewArchivePath();
        var taken = await BackupAsync(app, archive);
        var after = Volatile.Read(ref written);
        while (Volatile.Read(ref written) < after + 3) await Task.Delay(10);
        await stop.CancelAsync();
        await writer;
        Assert.True(after > before, "the writer committed nothing while the backup ran");

        using var target = new EmptyTarget(provider);
        // The restore checks the copy against the manifest made from the same moment.
        await target.Service().RestoreAsync(archive, CancellationToken.None);
        using var served = target.Serve();
        var copied = await served.WithDb(db => db.Incidents.CountAsync(i => i.Source == pairs));
        Assert.Equal(0, copied % 2);
        Assert.InRange(copied / 2, before, after + 1); // + 1: a commit whose count had not been taken yet
        Assert.Equal(taken.Tables["incidents"].Rows, await served.WithDb(db => db.Incidents.LongCountAsync()));
    }

    [Theory]
    [InlineData(DbProvider.Sqlite)]
    [InlineData(DbProvider.Postgres)]
    public async Task ATamperedArchiveIsRefusedAndTheTargetIsLeftAsItWas(DbProvider provider)
    {
        var archive = NewArchivePath();
        using (var app = new HaloApiFactory(provider))
        {
            await SeedAsync(app);
            await BackupAsync(app, archive);
        }
        using var target = new EmptyTarget(provider);
        await target.Service().RestoreAsync(archive, CancellationToken.None);
        var incidents = await CountIncidentsAsync(target);
        var databases = target.Databases();
        var files = Files(target);

        // A media file's bytes changed.
        var mediaChanged = archive + ".media";
        File.Copy(archive, mediaChanged);
        await RewriteAsync(mediaChanged, (name, data) => name.StartsWith("media/", StringComparison.Ordinal) ? [.. data.Take(data.Length - 1), (byte)(data[^1] ^ 1)] : data);
        var ex = await Assert.ThrowsAsync<BackupException>(() => target.Service().RestoreAsync(mediaChanged, CancellationToken.None));
        Assert.Contains("does not match its manifest", ex.Message);

        // The manifest changed to claim a row the database does not hold.
        var countChanged = archive + ".count";
        File.Copy(archive, countChanged);
        await RewriteAsync(countChanged, (name, data) =>
        {
            if (name != BackupManifest.EntryName) return data;
            var json = JsonNode.Parse(data)!;
            json["tables"]!["incidents"]!["rows"] = json["tables"]!["incidents"]!["rows"]!.GetValue<long>() + 1;
            return System.Text.Encoding.UTF8.GetBytes(json.ToJsonString());
        });
        ex = await Assert.ThrowsAsync<BackupException>(() => target.Service().RestoreAsync(countChanged, CancellationToken.None));
        Assert.Contains("incidents has", ex.Message);

        // Cut short.
        var truncated = archive + ".cut";
        await File.WriteAllBytesAsync(truncated, (await File.ReadAllBytesAsync(archive))[..(int)(new FileInfo(archive).Length / 2)]);
        await Assert.ThrowsAsync<BackupException>(() => target.Service().RestoreAsync(truncated, CancellationToken.None));

        Assert.Equal(databases, target.Databases());
        Assert.Equal(files, Files(target));
        Assert.Equal(incidents, await CountIncidentsAsync(target));
    }

    /// <summary>The data folder's files, but SQLite's -wal and -shm, which come and go as connections close.</summary>
    private static List<string> Files(EmptyTarget target) => Directory.GetFileSystemEntries(target.DataDirectory, "*", SearchOption.AllDirectories)
        .Where(f => !f.EndsWith("-wal", StringComparison.Ordinal) && !f.EndsWith("-shm", StringComparison.Ordinal)).Order().ToList();

    private static async Task<int> CountIncidentsAsync(EmptyTarget target)
    {
        using var served = target.Serve();
        return await served.WithDb(db => db.Incidents.CountAsync());
    }

    [Theory]
    [InlineData(DbProvider.Sqlite)]
    [InlineData(DbProvider.Postgres)]
    public async Task AnArchiveFromAnOlderSchemaIsRestoredMigratedWithItsRows(DbProvider provider)
    {
        using var old = new EmptyTarget(provider);
        if (provider == DbProvider.Postgres) PostgresTestServer.CreateDatabase(old.DatabaseName!);
        HaloDbContext db = provider == DbProvider.Postgres
            ? new PostgresHaloDbContext(Options<PostgresHaloDbContext>(o => DataRegistration.ConfigurePostgres(o, old.Target.ConnectionString)))
            : new SqliteHaloDbContext(Options<SqliteHaloDbContext>(o => DataRegistration.ConfigureSqlite(o, old.Target.ConnectionString + ";Pooling=False")));
        var migrations = db.Database.GetMigrations().ToList();
        var older = migrations[^2];
        var ids = Enumerable.Range(0, 5).Select(_ => Guid.NewGuid()).ToList();
        await using (db)
        {
            await db.GetService<IMigrator>().MigrateAsync(older);
            var at = new DateTime(2025, 2, 1, 8, 0, 0, DateTimeKind.Utc);
            Func<DateTime, object> instant = provider == DbProvider.Postgres ? t => t : t => t.Ticks;
            Func<Guid, object> uuid = provider == DbProvider.Postgres ? g => g : g => g.ToString().ToUpperInvariant();
            foreach (var id in ids)
                await db.Database.ExecuteSqlRawAsync(
                    "INSERT INTO incidents (\"Id\", \"Source\", \"RawType\", \"Category\", \"Severity\", \"IsIncident\", \"Title\", \"OccurredAt\", " +
                    "\"Latitude\", \"Longitude\", \"LocationPrecisionM\", \"H3Res9\", \"H3Res7\", \"Status\", \"IsVerified\", \"CitizenCorroborations\", " +
                    "\"HasCitizenMedia\", \"CreatedAt\", \"UpdatedAt\") VALUES ({0}, 'import:old', 'theft', 'theft', 2, {1}, 'An old row', {2}, 59.33, 18.06, 50, " +
                    "{3}, {4}, 'active', {1}, 0, {5}, {2}, {2})",
                    [uuid(id), true, instant(at), Halo.Api.Features.Geo.GeoCells.Cell(59.33, 18.06, 9), Halo.Api.Features.Geo.GeoCells.Cell(59.33, 18.06, 7), false]);
        }
        var archive = NewArchivePath();
        var taken = await old.Service().BackupAsync(archive, CancellationToken.None);
        Assert.Equal(older, taken.Migration);

        using var target = new EmptyTarget(provider);
        var restored = await target.Service().RestoreAsync(archive, CancellationToken.None);
        Assert.Equal((older, migrations[^1]), (restored.MigratedFrom, restored.MigratedTo));
        using var served = target.Serve();
        Assert.Equal(migrations[^1], await served.WithDb(async d => (await d.Database.GetAppliedMigrationsAsync()).Last()));
        var rows = await served.WithDb(d => d.Incidents.AsNoTracking().Where(i => i.Source == "import:old").Select(i => new { i.Id, i.CategoryInferredBy }).ToListAsync());
        Assert.Equal(ids.Order(), rows.Select(r => r.Id).Order());
        Assert.All(rows, r => Assert.Null(r.CategoryInferredBy));
    }

    private static DbContextOptions<T> Options<T>(Action<DbContextOptionsBuilder<T>> configure) where T : DbContext
    {
        var b = new DbContextOptionsBuilder<T>();
        configure(b);
        return b.Options;
    }

    [Fact]
    public async Task TheBackupAndRestoreCommandsRunInTheirOwnProcessesAsDocumented()
    {
        var (from, to) = (Path.Combine(Path.GetTempPath(), "halo-tests", Guid.NewGuid().ToString("N")), Path.Combine(Path.GetTempPath(), "halo-tests", Guid.NewGuid().ToString("N")));
        try
        {
            int incidents;
            using (var app = new HaloApiFactory(DbProvider.Sqlite, from) { KeepStoreOnDispose = true })
            {
                await SeedAsync(app);
                incidents = await app.WithDb(db => db.Incidents.CountAsync());
            }
            var work = Directory.CreateTempSubdirectory("halo-backup-cli-").FullName;
            var backup = await Infrastructure.Cli.AppProcess.RunAsync(["backup", "copy.tar.gz", $"--Database:DataDirectory={from}"], work);
            Assert.True(backup.ExitCode == 0, backup.Output + backup.Error);
            Assert.Contains("media files", backup.Output);
            var restore = await Infrastructure.Cli.AppProcess.RunAsync(["restore", "copy.tar.gz", $"--Database:DataDirectory={to}"], work);
            Assert.True(restore.ExitCode == 0, restore.Output + restore.Error);
            Assert.Contains("Restored and verified", restore.Output);
            // A second restore keeps what it replaces.
            restore = await Infrastructure.Cli.AppProcess.RunAsync(["restore", "copy.tar.gz", $"--Database:DataDirectory={to}"], work);
            Assert.True(restore.ExitCode == 0, restore.Output + restore.Error);
            Assert.Contains("The replaced database is kept as " + Path.Combine(to, "halo.db.pre-restore-"), restore.Output);
            using var served = new HaloApiFactory(DbProvider.Sqlite, to);
            Assert.Equal(incidents, await served.WithDb(db => db.Incidents.CountAsync()));
            var missing = await Infrastructure.Cli.AppProcess.RunAsync(["restore", "nothing.tar.gz", $"--Database:DataDirectory={to}"], work);
            Assert.Equal(2, missing.ExitCode);
            Directory.Delete(work, recursive: true);
        }
        finally
        {
            try { Directory.Delete(from, recursive: true); } catch (IOException) { }
        }
    }

    [Fact]
    public async Task AnArchiveIsRefusedByTheOtherProvider()
    {
        var archive = NewArchivePath();
        using (var app = new HaloApiFactory(DbProvider.Sqlite))
            await BackupAsync(app, archive);
        using var target = new EmptyTarget(DbProvider.Postgres);
        var ex = await Assert.ThrowsAsync<BackupException>(() => target.Service().RestoreAsync(archive, CancellationToken.None));
        Assert.Contains("sqlite database and this server is configured for postgres", ex.Message);
        Assert.Empty(target.Databases());
    }

    [Fact]
    public async Task WithoutPgDumpABackupFailsWithAMessageSayingWhatToInstall()
    {
        var empty = Directory.CreateTempSubdirectory("halo-no-pg-").FullName;
        var onPath = Assert.Throws<BackupException>(() => PostgresTools.Find("pg_dump", null, empty));
        Assert.Contains("pg_dump was not found on PATH", onPath.Message);
        Assert.Contains("postgresql-client", onPath.Message);

        using var app = new HaloApiFactory(DbProvider.Postgres).With("Backups:PostgresBinDirectory", empty);
        var archive = NewArchivePath();
        var (code, _, error) = await CliAsync(app, "backup", archive);
        Assert.Equal(1, code);
        Assert.Contains("pg_dump was not found in Backups:PostgresBinDirectory", error);
        Assert.False(File.Exists(archive));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(archive)!));
        Directory.Delete(empty);
    }
}
