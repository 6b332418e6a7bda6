using System.Net;
using Halo.Api.Tests.Infrastructure;
using static Halo.Api.Tests.Features.Reports.ReportTestHelpers;

namespace Halo.Api.Tests.Data;

/// <summary>What Halo stores is private to its user: files 0600, folders 0700, whatever the umask and the folder had before.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class DataFolderModeTests
{
    private const UnixFileMode File0600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode Dir0700 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode Open0644 = File0600 | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private const UnixFileMode Open0755 = Dir0700 | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private static void AssertMode(UnixFileMode expected, string path) =>
        Assert.True(File.GetUnixFileMode(path) == expected, $"{path}: {Convert.ToString((int)File.GetUnixFileMode(path), 8)}, expected {Convert.ToString((int)expected, 8)}");

    [Fact]
    public async Task AFreshDataFolderHoldsOnlyPrivateFilesAndFolders()
    {
        using var factory = new HaloApiFactory(DbProvider.Sqlite);
        File.SetUnixFileMode(factory.DataDirectory, Open0755); // as a default umask leaves a new folder
        var client = factory.CreateClient();
        var (lat, lon) = NewPlace();
        await client.SubmitOk(Body(NewDevice(), lat, lon, factory.Now().AddMinutes(-5)));

        Assert.Equal(HttpStatusCode.Created, (await client.UploadPhoto()).StatusCode);

        var dir = factory.DataDirectory;
        AssertMode(Dir0700, dir);
        AssertMode(Dir0700, Path.Combine(dir, "keys"));
        AssertMode(Dir0700, Path.Combine(dir, "media"));
        foreach (var name in new[] { "halo.db", "halo.db-wal", "halo.db-shm" }) AssertMode(File0600, Path.Combine(dir, name));
        var keys = Directory.GetFiles(Path.Combine(dir, "keys"));
        Assert.Contains(keys, k => k.EndsWith("JwtSigningKey.key", StringComparison.Ordinal));
        Assert.Contains(keys, k => k.EndsWith("DeviceHashKey.key", StringComparison.Ordinal));
        foreach (var key in keys) AssertMode(File0600, key);
        var media = Directory.GetFiles(Path.Combine(dir, "media"));
        Assert.Single(media);
        AssertMode(File0600, media[0]);
    }

    [Fact]
    public void FilesAndFoldersLeftOpenByAnEarlierRunAreTightenedAtStart()
    {
        string dir;
        using (var first = new HaloApiFactory(DbProvider.Sqlite) { KeepStoreOnDispose = true })
        {
            first.CreateClient();
            dir = first.DataDirectory;
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        File.SetUnixFileMode(dir, Open0755);
        File.SetUnixFileMode(Path.Combine(dir, "keys"), Open0755);
        var key = Directory.GetFiles(Path.Combine(dir, "keys")).First();
        File.SetUnixFileMode(key, Open0644);
        File.SetUnixFileMode(Path.Combine(dir, "halo.db"), Open0644);

        using var second = new HaloApiFactory(DbProvider.Sqlite, dataDirectory: dir);
        second.CreateClient();
        AssertMode(Dir0700, dir);
        AssertMode(Dir0700, Path.Combine(dir, "keys"));
        AssertMode(File0600, key);
        AssertMode(File0600, Path.Combine(dir, "halo.db"));
    }
}
