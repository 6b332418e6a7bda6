using System.ComponentModel.DataAnnotations;

namespace Halo.Api.Data;

public sealed class DatabaseOptions
{
    public const string Section = "Database";

    /// <summary><c>Sqlite</c> (default, embedded) or <c>Postgres</c>.</summary>
    [Required, RegularExpression("^(?i)(sqlite|postgres)$", ErrorMessage = "Database:Provider must be Sqlite or Postgres.")]
    public string Provider { get; set; } = "Sqlite";

    /// <summary>Connection string. For SQLite it defaults to <c>{DataDirectory}/halo.db</c>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Folder for the SQLite file, generated keys and uploaded media.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>Apply pending migrations at start. Always on for SQLite; for Postgres use the <c>migrate</c> command or set this.</summary>
    public bool MigrateOnStart { get; set; }

    /// <summary>Load the bundled sample of police events when the store is empty.</summary>
    public bool SeedSample { get; set; } = true;

    /// <summary>
    /// How long a request waits for a busy store before it answers 503: SQLite's write lock held by another connection
    /// or process, a free PostgreSQL connection in the pool or a new one. A connection string that sets its own
    /// timeout (<c>Default Timeout</c>, <c>Timeout</c>) keeps it.
    /// </summary>
    [Range(1, 600)]
    public int BusyTimeoutSeconds { get; set; } = 5;

    /// <summary>
    /// PostgreSQL: how long one command may wait for the server's answer before it is cancelled and the request answers
    /// 503 (a slow or stuck server never holds a request, or its pooled connection, longer than this). A connection
    /// string that sets <c>Command Timeout</c> keeps it. Npgsql's own default is the same 30 s; long jobs (training,
    /// import, retention) issue commands that each answer well within it.
    /// </summary>
    [Range(1, 3600)]
    public int CommandTimeoutSeconds { get; set; } = 30;

    /// <summary>The <c>Retry-After</c> of a 503 answered because the store was busy, locked, full or unreachable.</summary>
    [Range(1, 3600)]
    public int RetryAfterSeconds { get; set; } = 5;

    /// <summary>Readiness (<c>/health/ready</c>) fails when the data folder's file system has less free space than this.</summary>
    [Range(0, 1_000_000)]
    public int MinFreeDiskMegabytes { get; set; } = 64;

    public bool IsPostgres => string.Equals(Provider, "postgres", StringComparison.OrdinalIgnoreCase);
}
