using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;

namespace Halo.Api.Data;

/// <summary>
/// Keeps what Halo stores private to the user it runs as: the SQLite file and its journals, generated keys and uploaded
/// media are created 0600 and their folders 0700, on any host umask. Unix only; Windows ACLs are left to the host.
/// </summary>
public static class DataFolder
{
    public const UnixFileMode PrivateFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    public const UnixFileMode PrivateFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>
    /// Sets the process umask to 077, so every file and folder created from now on (by SQLite, media uploads, keys) is
    /// private, and tightens what already exists: the data folder and its keys and media folders, the key files and the
    /// SQLite files. Media files from before are covered by their folder's 0700 (there may be very many).
    /// </summary>
    public static void Secure(DatabaseOptions options, string? sqliteConnectionString)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(options.DataDirectory);
            return;
        }
        SetUmask(0b000_111_111); // 077: nothing for group and others
        var root = Directory.CreateDirectory(options.DataDirectory);
        root.UnixFileMode = PrivateFolder;
        foreach (var name in new[] { "keys", "media" })
        {
            var dir = new DirectoryInfo(Path.Combine(root.FullName, name));
            if (dir.Exists) dir.UnixFileMode = PrivateFolder;
        }
        var keys = new DirectoryInfo(Path.Combine(root.FullName, "keys"));
        if (keys.Exists)
            foreach (var key in keys.EnumerateFiles()) key.UnixFileMode = PrivateFile;
        if (sqliteConnectionString is not null && new SqliteConnectionStringBuilder(sqliteConnectionString).DataSource is { Length: > 0 } db
            && db != ":memory:" && !db.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
            foreach (var suffix in new[] { "", "-wal", "-shm", "-journal" })
            {
                var file = new FileInfo(db + suffix);
                if (file.Exists) file.UnixFileMode = PrivateFile;
            }
    }

    // DllImport: a blittable signature needs no marshalling, and LibraryImport would need unsafe code in the project.
#pragma warning disable SYSLIB1054
    [DllImport("libc", EntryPoint = "umask")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern uint SetUmask(uint mask);
#pragma warning restore SYSLIB1054
}
