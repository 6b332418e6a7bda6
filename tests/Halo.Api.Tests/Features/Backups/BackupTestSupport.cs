using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using Halo.Api.Features.Backups;
using Halo.Api.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using static Halo.Api.Tests.Features.Reports.ReportTestHelpers;

namespace Halo.Api.Tests.Features.Backups;

/// <summary>
/// A store nobody serves yet, to restore into: a fresh data folder, and on PostgreSQL a database name that does not
/// exist yet (a restore creates it). Disposing removes the folder, the database and any copies a restore kept.
/// </summary>
public sealed class EmptyTarget : IDisposable
{
    public EmptyTarget(DbProvider provider)
    {
        Provider = provider;
        DataDirectory = Path.Combine(Path.GetTempPath(), "halo-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(DataDirectory);
        if (provider == DbProvider.Postgres)
        {
            DatabaseName = "halo_test_" + Guid.NewGuid().ToString("N")[..12];
            Target = new BackupTarget(true, new NpgsqlConnectionStringBuilder(PostgresTestServer.BaseConnectionString) { Database = DatabaseName }.ConnectionString, DataDirectory);
        }
        else Target = new BackupTarget(false, $"Data Source={Path.Combine(DataDirectory, "halo.db")}", DataDirectory);
    }

    public DbProvider Provider { get; }
    public string DataDirectory { get; }
    public string? DatabaseName { get; }
    public BackupTarget Target { get; }

    public BackupService Service(BackupOptions? options = null, TimeProvider? clock = null) =>
        new(Target, Options.Create(options ?? new BackupOptions()), clock ?? TimeProvider.System, NullLogger<BackupService>.Instance);

    /// <summary>The app over the restored store.</summary>
    public HaloApiFactory Serve() => new HaloApiFactory(Provider, DataDirectory, DatabaseName) { KeepStoreOnDispose = true };

    /// <summary>Databases whose name starts with this target's (the live one, staging copies, kept previous ones).</summary>
    public List<string> Databases()
    {
        if (DatabaseName is null) return [];
        using var conn = new NpgsqlConnection(PostgresTestServer.BaseConnectionString);
        conn.Open();
        using var cmd = new NpgsqlCommand("SELECT datname FROM pg_database WHERE starts_with(datname, @p) ORDER BY 1", conn);
        cmd.Parameters.AddWithValue("p", DatabaseName);
        using var r = cmd.ExecuteReader();
        var names = new List<string>();
        while (r.Read()) names.Add(r.GetString(0));
        return names;
    }

    public void Dispose()
    {
        foreach (var name in Databases()) PostgresTestServer.DropDatabase(name);
        try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

public static class BackupTestSupport
{
    /// <summary>The tables <see cref="SeedAsync"/> fills, whose rows a restore must bring back exactly.</summary>
    public static readonly string[] KeyTables = ["incidents", "citizen_reports", "report_clusters", "users"];

    /// <summary>Rows in several tables (incidents, an admin, citizen reports and their clusters) and two media files.</summary>
    public static async Task<Dictionary<string, byte[]>> SeedAsync(HaloApiFactory app, int incidents = 40)
    {
        var source = TestIncidents.NewSource();
        var now = app.Clock.GetUtcNow().UtcDateTime;
        await app.WithDb(async db =>
        {
            db.Incidents.AddRange(Enumerable.Range(0, incidents).Select(i => TestIncidents.Make(source, 59.30 + i * 0.001, 18.05, now.AddHours(-i - 1))));
            return await db.SaveChangesAsync();
        });
        using (await app.CreateClientAsAsync(Halo.Api.Features.Auth.Roles.Admin)) { }
        using var client = app.CreateClient();
        for (var i = 0; i < 3; i++)
        {
            var (lat, lon) = NewPlace();
            await client.SubmitOk(Body(NewDevice(), lat, lon, now.AddMinutes(-10)));
        }
        var media = new Dictionary<string, byte[]>();
        foreach (var name in new[] { "ab/" + Guid.NewGuid().ToString("N") + ".jpg", "cd/" + Guid.NewGuid().ToString("N") + ".webm" })
        {
            var bytes = RandomNumberGenerator.GetBytes(3000 + media.Count * 1000);
            var path = Path.Combine(app.DataDirectory, "media", name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllBytesAsync(path, bytes);
            media[name] = bytes;
        }
        return media;
    }

    public static string NewArchivePath() => Path.Combine(Path.GetTempPath(), "halo-tests", "backups-" + Guid.NewGuid().ToString("N"), "halo.tar.gz");

    /// <summary>Rewrites an archive entry by entry; <paramref name="change"/> may replace an entry's bytes.</summary>
    public static async Task RewriteAsync(string archive, Func<string, byte[], byte[]> change)
    {
        var entries = new List<(string Name, byte[] Data)>();
        await using (var input = File.OpenRead(archive))
        await using (var gzip = new GZipStream(input, CompressionMode.Decompress))
        await using (var tar = new TarReader(gzip))
            while (await tar.GetNextEntryAsync() is { } e)
            {
                var buffer = new MemoryStream();
                if (e.DataStream is { } s) await s.CopyToAsync(buffer);
                entries.Add((e.Name, buffer.ToArray()));
            }
        await using var output = File.Create(archive);
        await using var gz = new GZipStream(output, CompressionLevel.Fastest);
        await using var writer = new TarWriter(gz, TarEntryFormat.Pax);
        foreach (var (name, data) in entries)
            await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(change(name, data)) });
    }
}
