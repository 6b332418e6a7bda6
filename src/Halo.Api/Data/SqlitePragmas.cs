using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Halo.Api.Data;

/// <summary>
/// Sets <c>synchronous=NORMAL</c> on every SQLite connection EF opens. The journal mode (WAL) is a property of the
/// file and is set once at start (<see cref="DataRegistration.MigrateAsync"/>), but <c>synchronous</c> belongs to each
/// connection: without this only the migrating connection had NORMAL and every other one fsynced the WAL on each
/// commit (FULL), which capped serialised writers such as report submission. In WAL mode NORMAL stays consistent and
/// durable across application crashes; a power cut may lose the last commits, never corrupt the file.
/// <c>wal_autocheckpoint</c> is raised from 1,000 to 10,000 pages (~40 MB of WAL): a checkpoint runs inside whichever
/// commit crosses the limit, and with it that commit's fsync of the database file, so serialised writers pay for it
/// ten times less often.
/// </summary>
public sealed class SqlitePragmas : DbConnectionInterceptor
{
    public static readonly SqlitePragmas Instance = new();

    private const string Pragmas = "PRAGMA synchronous=NORMAL; PRAGMA wal_autocheckpoint=10000;";

    /// <summary>
    /// Native connections already set. EF opens and closes a connection around most queries and Microsoft.Data.Sqlite
    /// pools the native handle underneath, so the settings stick to the handle: set them once per handle, not per open.
    /// </summary>
    private static readonly ConditionalWeakTable<object, object> Configured = new();

    private static bool Done(DbConnection connection) =>
        connection is SqliteConnection { Handle: { } handle } && Configured.TryGetValue(handle, out _);

    private static void Remember(DbConnection connection)
    {
        if (connection is SqliteConnection { Handle: { } handle }) Configured.AddOrUpdate(handle, Configured);
    }

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        if (Done(connection)) return;
        using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        command.ExecuteNonQuery();
        Remember(connection);
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (Done(connection)) return;
        await using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        await command.ExecuteNonQueryAsync(cancellationToken);
        Remember(connection);
    }
}
