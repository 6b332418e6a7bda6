using System.Formats.Tar;
using System.IO.Compression;
using System.Reflection;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace Halo.Api.Features.Backups;

/// <summary>
/// One archive (<c>.tar.gz</c>) per backup: the database copy, the media folder, and <c>manifest.json</c> last. A
/// restore unpacks into a private folder, checks every file against the manifest, loads the database beside the live
/// one and checks its rows and checksums, migrates it, and only then replaces the live database and media folder.
/// </summary>
public sealed class BackupService(BackupTarget target, IOptions<BackupOptions> options, TimeProvider clock, ILogger<BackupService> logger)
{
    public const string ScheduledPrefix = "halo-backup-";
    public const string ScheduledSuffix = ".tar.gz";

    private const string MediaPrefix = "media/";
    private const long MaxManifestBytes = 64L * 1024 * 1024;

    private IBackupStore Store => target.IsPostgres
        ? new PostgresBackupStore(target.ConnectionString, options.Value.PostgresBinDirectory)
        : new SqliteBackupStore(target.ConnectionString);

    /// <summary>Where scheduled backups go.</summary>
    public string ScheduledDirectory => Path.GetFullPath(options.Value.Directory is { Length: > 0 } d ? d : Path.Combine(target.DataDirectory, "backups"));

    public async Task<BackupManifest> BackupAsync(string archivePath, CancellationToken ct)
    {
        archivePath = Path.GetFullPath(archivePath);
        if (File.Exists(archivePath)) throw new BackupException($"{archivePath} already exists: a backup never overwrites a file; give a new name.");
        var folder = Path.GetDirectoryName(archivePath)!;
        Directory.CreateDirectory(folder);
        var store = Store;
        var work = Directory.CreateDirectory(Path.Combine(folder, $".{Path.GetFileName(archivePath)}.work-{Guid.NewGuid():N}")).FullName;
        var partial = archivePath + ".partial";
        try
        {
            var dbFile = Path.Combine(work, store.DatabaseEntryName);
            var snapshot = await store.SnapshotAsync(dbFile, ct);
            BackupManifest manifest;
            await using (var file = new FileStream(partial, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                await using (var gzip = new GZipStream(file, CompressionLevel.Fastest, leaveOpen: true))
                await using (var tar = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: true))
                {
                    var database = await AddFileAsync(tar, dbFile, store.DatabaseEntryName, ct)
                                   ?? throw new BackupException($"The database copy {dbFile} disappeared while it was archived.");
                    var media = new List<ArchivedFile>();
                    // Media files are written once and never changed; one deleted since the copy is simply not included.
                    if (Directory.Exists(target.MediaDirectory))
                        foreach (var path in Directory.EnumerateFiles(target.MediaDirectory, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
                            if (await AddFileAsync(tar, path, MediaPrefix + Path.GetRelativePath(target.MediaDirectory, path).Replace('\\', '/'), ct) is { } m)
                                media.Add(m);
                    manifest = new BackupManifest
                    {
                        CreatedAt = clock.GetUtcNow().UtcDateTime,
                        AppVersion = typeof(BackupService).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown",
                        Provider = store.Provider,
                        Migration = snapshot.Migration,
                        Database = database,
                        Tables = snapshot.Tables,
                        Media = media,
                    };
                    await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, BackupManifest.EntryName)
                    {
                        DataStream = new MemoryStream(manifest.ToJson()),
                        ModificationTime = clock.GetUtcNow(),
                        Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
                    }, ct);
                }
                await file.FlushAsync(ct);
                file.Flush(flushToDisk: true);
            }
            File.Move(partial, archivePath);
            return manifest;
        }
        catch (System.Data.Common.DbException ex)
        {
            throw new BackupException($"The database could not be read: {ex.Message}", ex);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
            if (File.Exists(partial)) File.Delete(partial);
        }
    }

    private static async Task<ArchivedFile?> AddFileAsync(TarWriter tar, string path, string entryName, CancellationToken ct)
    {
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16, useAsync: true);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        await using (file)
        {
            // Hashed and archived from the same open file, so both see the same bytes.
            var sha = Convert.ToHexStringLower(await SHA256.HashDataAsync(file, ct));
            var length = file.Length;
            file.Position = 0;
            await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, entryName)
            {
                DataStream = file,
                ModificationTime = File.GetLastWriteTimeUtc(path),
                Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            }, ct);
            return new ArchivedFile(entryName, length, sha);
        }
    }

    /// <summary>What a restore did: the manifest it verified and where the replaced database and media were kept.</summary>
    public sealed record RestoreResult(BackupManifest Manifest, string? MigratedFrom, string MigratedTo, string? PreviousDatabase, string? PreviousMedia);

    public async Task<RestoreResult> RestoreAsync(string archivePath, CancellationToken ct)
    {
        archivePath = Path.GetFullPath(archivePath);
        if (!File.Exists(archivePath)) throw new BackupException($"The archive {archivePath} does not exist.");
        var store = Store;
        var stamp = clock.GetUtcNow().UtcDateTime.ToString("yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture);
        Directory.CreateDirectory(target.DataDirectory);
        var work = Directory.CreateDirectory(Path.Combine(target.DataDirectory, $".restore-{Guid.NewGuid():N}")).FullName;
        try
        {
            var (manifest, found) = await UnpackAsync(archivePath, work, ct);
            if (manifest.Format != BackupManifest.CurrentFormat)
                throw new BackupException($"The archive is in backup format {manifest.Format}; this build reads format {BackupManifest.CurrentFormat}.");
            if (manifest.Provider != store.Provider)
                throw new BackupException($"The archive holds a {manifest.Provider} database and this server is configured for {store.Provider} " +
                                          "(Database:Provider): restore it into the provider it came from.");
            var known = store.KnownMigrations();
            if (manifest.Migration is { } m && !known.Contains(m, StringComparer.Ordinal))
                throw new BackupException($"The archive's schema ({m}) is newer than this build knows (its latest is {known[^1]}): " +
                                          "restore it with the Halo version that made it, or a newer one.");
            if (manifest.Database.Path != store.DatabaseEntryName)
                throw new BackupException($"The manifest names {manifest.Database.Path} as the {store.Provider} database: it was altered.");
            VerifyFiles(manifest, found);

            await using var staged = await store.StageAsync(Path.Combine(work, store.DatabaseEntryName), ct);
            var measured = await staged.MeasureAsync(ct);
            VerifyTables(manifest, measured);
            await staged.MigrateAsync(ct);
            var previousDb = await staged.ReplaceTargetAsync(stamp, ct);

            string? previousMedia = null;
            var media = Path.Combine(work, "media");
            Directory.CreateDirectory(media);
            if (Directory.Exists(target.MediaDirectory))
            {
                previousMedia = $"{target.MediaDirectory}.pre-restore-{stamp}";
                Directory.Move(target.MediaDirectory, previousMedia);
            }
            Directory.Move(media, target.MediaDirectory);
            logger.LogInformation("Restored {Archive} ({Provider}, schema {From} migrated to {To}); the previous database is kept as {Previous}",
                archivePath, manifest.Provider, manifest.Migration, known[^1], previousDb);
            return new RestoreResult(manifest, manifest.Migration, known[^1], previousDb, previousMedia);
        }
        catch (System.Data.Common.DbException ex)
        {
            throw new BackupException($"The restore stopped on a database error: {ex.Message}", ex);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static async Task<(BackupManifest Manifest, Dictionary<string, ArchivedFile> Found)> UnpackAsync(string archivePath, string work,
        CancellationToken ct)
    {
        var found = new Dictionary<string, ArchivedFile>(StringComparer.Ordinal);
        byte[]? manifestJson = null;
        try
        {
            await using var file = new FileStream(archivePath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
            await using var gzip = new GZipStream(file, CompressionMode.Decompress);
            await using var tar = new TarReader(gzip);
            while (await tar.GetNextEntryAsync(copyData: false, ct) is { } entry)
            {
                if (entry.EntryType == TarEntryType.Directory) continue;
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile))
                    throw new BackupException($"The archive holds {entry.Name}, which is not a plain file: not a Halo backup.");
                if (found.ContainsKey(entry.Name) || (entry.Name == BackupManifest.EntryName && manifestJson is not null))
                    throw new BackupException($"The archive holds {entry.Name} twice: it was altered.");
                if (entry.Name == BackupManifest.EntryName)
                {
                    if (entry.Length > MaxManifestBytes) throw new BackupException("The archive's manifest.json is too large: not a Halo backup.");
                    var buffer = new MemoryStream();
                    if (entry.DataStream is { } data) await data.CopyToAsync(buffer, ct);
                    manifestJson = buffer.ToArray();
                    continue;
                }
                var destination = SafeDestination(work, entry.Name);
                Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
                await using var output = new FileStream(destination, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
                using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                long bytes = 0;
                if (entry.DataStream is { } stream)
                {
                    var buffer = new byte[1 << 16];
                    int n;
                    while ((n = await stream.ReadAsync(buffer, ct)) > 0)
                    {
                        sha.AppendData(buffer, 0, n);
                        await output.WriteAsync(buffer.AsMemory(0, n), ct);
                        bytes += n;
                    }
                }
                found[entry.Name] = new ArchivedFile(entry.Name, bytes, Convert.ToHexStringLower(sha.GetHashAndReset()));
            }
        }
        catch (Exception ex) when (ex is InvalidDataException or EndOfStreamException or FormatException)
        {
            throw new BackupException($"The archive cannot be read ({ex.Message}): it is damaged, cut short, or not a Halo backup.", ex);
        }
        if (manifestJson is null) throw new BackupException("The archive has no manifest.json: it is cut short or not a Halo backup.");
        return (BackupManifest.Parse(manifestJson), found);
    }

    /// <summary>Where an entry is unpacked: a database entry (either provider's, so the manifest can say which), or a file under <c>media/</c> that stays inside the folder.</summary>
    private static string SafeDestination(string work, string name)
    {
        var ok = name is "halo.db" or "halo.pgdump"
                 || (name.StartsWith(MediaPrefix, StringComparison.Ordinal) && name.Length > MediaPrefix.Length
                     && !name.Split('/').Any(s => s is "" or "." or ".."));
        var full = Path.GetFullPath(Path.Combine(work, name));
        if (!ok || !full.StartsWith(work + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new BackupException($"The archive holds {name}, which a Halo backup never has.");
        return full;
    }

    private static void VerifyFiles(BackupManifest manifest, Dictionary<string, ArchivedFile> found)
    {
        var expected = new[] { manifest.Database }.Concat(manifest.Media).ToList();
        var problems = new List<string>();
        foreach (var e in expected)
        {
            if (!found.TryGetValue(e.Path, out var f)) problems.Add($"{e.Path} is missing");
            else if (f != e) problems.Add($"{e.Path} differs ({f.Bytes} bytes, SHA-256 {f.Sha256[..12]}…; the manifest says {e.Bytes} bytes, {e.Sha256[..Math.Min(12, e.Sha256.Length)]}…)");
        }
        problems.AddRange(found.Keys.Except(expected.Select(e => e.Path), StringComparer.Ordinal).Select(p => $"{p} is not in the manifest"));
        if (problems.Count > 0)
            throw new BackupException($"The archive does not match its manifest, so it was damaged or altered; nothing was changed: " +
                                      string.Join("; ", problems.Take(5)) + (problems.Count > 5 ? $"; and {problems.Count - 5} more" : ""));
    }

    private static void VerifyTables(BackupManifest manifest, DatabaseSnapshot measured)
    {
        var problems = new List<string>();
        if (measured.Migration != manifest.Migration) problems.Add($"schema {measured.Migration}, the manifest says {manifest.Migration}");
        foreach (var (table, expected) in manifest.Tables)
        {
            if (!measured.Tables.TryGetValue(table, out var got)) problems.Add($"table {table} is missing");
            else if (got.Rows != expected.Rows) problems.Add($"{table} has {got.Rows} rows, the manifest says {expected.Rows}");
            else if (got.Sha256 != expected.Sha256) problems.Add($"{table}'s rows differ from the manifest's checksum");
        }
        problems.AddRange(measured.Tables.Keys.Except(manifest.Tables.Keys, StringComparer.Ordinal).Select(t => $"table {t} is not in the manifest"));
        if (problems.Count > 0)
            throw new BackupException("The restored database does not match the archive's manifest; nothing was changed: " + string.Join("; ", problems));
    }

    /// <summary>The scheduled backup: a new archive in <see cref="ScheduledDirectory"/>, then only the newest <see cref="BackupOptions.Keep"/> stay.</summary>
    public async Task<string> RunScheduledAsync(CancellationToken ct)
    {
        var folder = ScheduledDirectory;
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, $"{ScheduledPrefix}{clock.GetUtcNow().UtcDateTime:yyyyMMdd'T'HHmmss'Z'}{ScheduledSuffix}");
        var manifest = await BackupAsync(path, ct);
        var removed = PruneScheduled();
        logger.LogInformation("Scheduled backup {Path}: {Bytes} bytes, {Media} media files; removed {Removed} old backups",
            path, new FileInfo(path).Length, manifest.Media.Count, removed.Count);
        return path;
    }

    /// <summary>Deletes scheduled backups beyond the newest <see cref="BackupOptions.Keep"/> (their names sort by time).</summary>
    public IReadOnlyList<string> PruneScheduled()
    {
        var old = Directory.EnumerateFiles(ScheduledDirectory, ScheduledPrefix + "*" + ScheduledSuffix)
            .OrderDescending(StringComparer.Ordinal).Skip(options.Value.Keep).ToList();
        foreach (var file in old) File.Delete(file);
        return old;
    }
}
