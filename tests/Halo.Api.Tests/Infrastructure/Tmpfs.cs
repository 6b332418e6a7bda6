using System.Diagnostics;

namespace Halo.Api.Tests.Infrastructure;

/// <summary>A small tmpfs mounted for one test (needs root with CAP_SYS_ADMIN): a data folder that really fills up.</summary>
public sealed class Tmpfs : IDisposable
{
    public Tmpfs(int megabytes)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "halo-tmpfs-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
        var error = Run("mount", $"-t tmpfs -o size={megabytes}m,mode=0700 tmpfs {Path}");
        if (error is not null)
        {
            Directory.Delete(Path);
            throw new InvalidOperationException($"Cannot mount a tmpfs at {Path}: {error}");
        }
    }

    public string Path { get; }

    /// <summary>Writes a file until the file system refuses (ENOSPC); returns its path.</summary>
    public string Fill()
    {
        var filler = System.IO.Path.Combine(Path, "filler");
        var chunk = new byte[64 * 1024];
        using var file = new FileStream(filler, FileMode.Create, FileAccess.Write, FileShare.None, 1);
        try
        {
            while (true) file.Write(chunk);
        }
        catch (IOException)
        {
            // Full. The last partial chunk may leave a few bytes: fill those one by one.
        }
        try
        {
            while (true) { file.WriteByte(0); file.Flush(); }
        }
        catch (IOException) { }
        return filler;
    }

    public void Dispose()
    {
        Run("umount", "-l " + Path);
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }

    /// <summary>Null when a tmpfs can be mounted here, else why not (the reason a test is skipped).</summary>
    public static readonly string? Unavailable = Probe();

    private static string? Probe()
    {
        if (!OperatingSystem.IsLinux()) return "tmpfs mounts need Linux.";
        try
        {
            using var probe = new Tmpfs(1);
            return null;
        }
        catch (Exception e)
        {
            return $"Skipped: mounting a tmpfs is impossible here (needs root with CAP_SYS_ADMIN): {e.Message}";
        }
    }

    private static string? Run(string command, string args)
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo(command, args) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            var err = p.StandardError.ReadToEnd();
            p.WaitForExit();
            return p.ExitCode == 0 ? null : $"{command} exited {p.ExitCode}: {err.Trim()}";
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return $"{command}: {e.Message}";
        }
    }
}

/// <summary>A fact that is skipped, with the reason, where no tmpfs can be mounted.</summary>
public sealed class TmpfsFactAttribute : FactAttribute
{
    public TmpfsFactAttribute()
    {
        if (Tmpfs.Unavailable is { } why) Skip = why;
    }
}
