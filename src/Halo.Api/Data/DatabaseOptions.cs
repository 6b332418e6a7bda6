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

    public bool IsPostgres => string.Equals(Provider, "postgres", StringComparison.OrdinalIgnoreCase);
}
