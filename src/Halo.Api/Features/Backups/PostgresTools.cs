using System.Diagnostics;
using System.Text;
using Npgsql;

namespace Halo.Api.Features.Backups;

/// <summary>Finds and runs PostgreSQL's own client programs (<c>pg_dump</c>, <c>pg_restore</c>).</summary>
public static class PostgresTools
{
    /// <summary>
    /// The full path of <paramref name="tool"/>: in <paramref name="binDirectory"/> when it is set, else the first on
    /// <paramref name="searchPath"/> (the process's <c>PATH</c> by default).
    /// </summary>
    public static string Find(string tool, string? binDirectory, string? searchPath = null)
    {
        if (!string.IsNullOrWhiteSpace(binDirectory))
        {
            var exact = Path.Combine(binDirectory, tool);
            return File.Exists(exact) ? exact
                : throw new BackupException($"{tool} was not found in Backups:PostgresBinDirectory ({binDirectory}). " +
                                            "Point it at the PostgreSQL client's bin folder (Debian: /usr/lib/postgresql/15/bin).");
        }
        searchPath ??= Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var dir in searchPath.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, tool);
            if (File.Exists(candidate)) return candidate;
        }
        throw new BackupException($"{tool} was not found on PATH. PostgreSQL backups use the PostgreSQL client programs: install them " +
                                  "(Debian: apt-get install postgresql-client-15, the same major version as the server or newer) " +
                                  "or set Backups:PostgresBinDirectory to their folder.");
    }

    /// <summary>
    /// Runs a tool against the database of <paramref name="connectionString"/>, passed in libpq's environment variables
    /// so the password never shows in the process list. Throws with the tool's own error output when it fails.
    /// </summary>
    public static async Task RunAsync(string tool, IEnumerable<string> arguments, string connectionString, CancellationToken ct)
    {
        var cs = new NpgsqlConnectionStringBuilder(connectionString);
        var start = new ProcessStartInfo(tool, arguments) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("PG", StringComparison.Ordinal)).ToList()) start.Environment.Remove(key);
        start.Environment["PGHOST"] = cs.Host;
        start.Environment["PGPORT"] = cs.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["PGDATABASE"] = cs.Database;
        if (cs.Username is { } user) start.Environment["PGUSER"] = user;
        if (cs.Password is { } password) start.Environment["PGPASSWORD"] = password;
        start.Environment["PGSSLMODE"] = cs.SslMode switch
        {
            SslMode.Disable => "disable",
            SslMode.Allow => "allow",
            SslMode.Require => "require",
            SslMode.VerifyCA => "verify-ca",
            SslMode.VerifyFull => "verify-full",
            _ => "prefer",
        };
        start.Environment["PGAPPNAME"] = "halo-backup";
        using var process = Process.Start(start) ?? throw new BackupException($"{tool} could not be started.");
        var errors = new StringBuilder();
        var stderr = Task.Run(async () =>
        {
            while (await process.StandardError.ReadLineAsync(ct) is { } line) lock (errors) errors.AppendLine(line);
        }, ct);
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        try
        {
            await process.WaitForExitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        await Task.WhenAll(stderr, stdout);
        if (process.ExitCode != 0)
            throw new BackupException($"{Path.GetFileName(tool)} failed (exit code {process.ExitCode}): {errors.ToString().Trim()}");
    }
}
