using System.CommandLine;
using Halo.Api.Data;
using Halo.Api.Infrastructure;

namespace Halo.Api.Features.Backups;

/// <summary>
/// <c>backup FILE</c> (while the server runs) and <c>restore FILE</c> (with every instance stopped): docs/backups.md.
/// Exit code 1 when the work cannot be done; the message says why.
/// </summary>
public sealed class BackupCommands(IServiceProvider services, BackupService backups)
{
    public static Command Backup(CliContext cli)
    {
        var file = Cli.FileArgument("The archive to write (.tar.gz); it must not exist yet");
        var command = new Command("backup", "Write the database and media folder to one archive, while the server keeps running.") { file };
        command.SetAction((p, ct) => cli.RunAsync<BackupCommands>("backup", c => c.BackupAsync(cli, cli.FullPath(p.GetRequiredValue(file)), ct)));
        return command;
    }

    public static Command Restore(CliContext cli)
    {
        var file = Cli.FileArgument("An archive written by backup");
        var command = new Command("restore",
            "Replace the database and media folder with an archive's, after checking its files, row counts and checksums; " +
            "an archive from an older version is migrated. Stop every instance first.") { file };
        command.SetAction((p, ct) => cli.RunAsync<BackupCommands>("restore", c => c.RestoreAsync(cli, cli.FullPath(p.GetRequiredValue(file)), ct)));
        return command;
    }

    private async Task<int> BackupAsync(CliContext cli, string path, CancellationToken ct)
    {
        try
        {
            await cli.Out.WriteLineAsync($"Backing up to {path} …");
            var manifest = await backups.BackupAsync(path, ct);
            await cli.Out.WriteLineAsync($"Done: {new FileInfo(path).Length:N0} bytes; schema {manifest.Migration}; " +
                                         $"{manifest.Tables.Sum(t => t.Value.Rows):N0} rows in {manifest.Tables.Count} tables; {manifest.Media.Count:N0} media files.");
            return 0;
        }
        catch (BackupException ex)
        {
            await cli.Error.WriteLineAsync($"Backup failed: {ex.Message}");
            return 1;
        }
    }

    private async Task<int> RestoreAsync(CliContext cli, string path, CancellationToken ct)
    {
        if (!File.Exists(path)) throw new CliUsageException($"File '{path}' not found.");
        try
        {
            await cli.Out.WriteLineAsync($"Restoring {path} …");
            var r = await backups.RestoreAsync(path, ct);
            // The restored store gets the data fixes this build adds, as a start would.
            await DataRegistration.MigrateAsync(services, force: true, ct);
            await cli.Out.WriteLineAsync($"Restored and verified {r.Manifest.Tables.Sum(t => t.Value.Rows):N0} rows in {r.Manifest.Tables.Count} tables " +
                                         $"and {r.Manifest.Media.Count:N0} media files; schema {r.MigratedFrom} → {r.MigratedTo}.");
            if (r.PreviousDatabase is not null) await cli.Out.WriteLineAsync($"The replaced database is kept as {r.PreviousDatabase}.");
            if (r.PreviousMedia is not null) await cli.Out.WriteLineAsync($"The replaced media folder is kept as {r.PreviousMedia}.");
            return 0;
        }
        catch (BackupException ex)
        {
            await cli.Error.WriteLineAsync($"Restore failed: {ex.Message}");
            return 1;
        }
    }
}
