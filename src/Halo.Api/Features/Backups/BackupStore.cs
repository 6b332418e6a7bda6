using Halo.Api.Data;

namespace Halo.Api.Features.Backups;

/// <summary>The store a backup is taken from and restored into: the provider, its connection string and the data folder.</summary>
public sealed record BackupTarget(bool IsPostgres, string ConnectionString, string DataDirectory)
{
    public string MediaDirectory => Path.GetFullPath(Path.Combine(DataDirectory, "media"));

    /// <summary>The configured store, resolved the way <see cref="DataRegistration.AddHaloData"/> resolves it.</summary>
    public static BackupTarget From(IConfiguration configuration)
    {
        var options = configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();
        var cs = options.IsPostgres
            ? options.ConnectionString ?? configuration.GetConnectionString("Postgres") ?? ""
            : DataRegistration.SqliteConnectionString(options);
        return new BackupTarget(options.IsPostgres, cs, Path.GetFullPath(options.DataDirectory));
    }
}

/// <summary>What a database held: the last migration applied and every table's rows and checksum.</summary>
public sealed record DatabaseSnapshot(string? Migration, SortedDictionary<string, TableSummary> Tables);

/// <summary>How one provider copies its database out consistently and loads a copy back beside the live one.</summary>
internal interface IBackupStore
{
    /// <summary><c>sqlite</c> or <c>postgres</c>, as written in the manifest.</summary>
    string Provider { get; }

    /// <summary>The database's entry name in the archive.</summary>
    string DatabaseEntryName { get; }

    /// <summary>The migrations this build knows, oldest first.</summary>
    IReadOnlyList<string> KnownMigrations();

    /// <summary>Writes a consistent copy of the live database to <paramref name="file"/> and measures that copy.</summary>
    Task<DatabaseSnapshot> SnapshotAsync(string file, CancellationToken ct);

    /// <summary>Loads a copy (from <see cref="SnapshotAsync"/>) into a staging store; the live one is not touched.</summary>
    Task<IStagedDatabase> StageAsync(string file, CancellationToken ct);
}

/// <summary>A restored copy waiting beside the live database; dropped on dispose unless it replaced the live one.</summary>
internal interface IStagedDatabase : IAsyncDisposable
{
    Task<DatabaseSnapshot> MeasureAsync(CancellationToken ct);

    /// <summary>Brings the copy's schema up to this build's latest migration.</summary>
    Task MigrateAsync(CancellationToken ct);

    /// <summary>Puts the copy in place of the live database; returns where the previous one was kept, if there was one.</summary>
    Task<string?> ReplaceTargetAsync(string stamp, CancellationToken ct);
}
