using System.ComponentModel.DataAnnotations;

namespace Halo.Api.Features.Backups;

/// <summary>Backups and the scheduled daily backup (config section <c>Backups</c>; docs/backups.md).</summary>
public sealed class BackupOptions
{
    public const string Section = "Backups";

    /// <summary>Take a backup on <see cref="Cron"/> into <see cref="Directory"/>, keeping the newest <see cref="Keep"/>.</summary>
    public bool ScheduleEnabled { get; set; } = true;

    /// <summary>Quartz cron of the scheduled backup (UTC; seconds first: <c>0 30 3 * * ?</c> is 03:30 every day).</summary>
    [Required]
    public string Cron { get; set; } = "0 30 3 * * ?";

    /// <summary>How many scheduled backups to keep; older ones are deleted after each new one.</summary>
    [Range(1, 10_000)]
    public int Keep { get; set; } = 7;

    /// <summary>Folder of the scheduled backups (default <c>{Database:DataDirectory}/backups</c>).</summary>
    public string? Directory { get; set; }

    /// <summary>Where <c>pg_dump</c> and <c>pg_restore</c> are; empty: found on <c>PATH</c>.</summary>
    public string? PostgresBinDirectory { get; set; }
}
