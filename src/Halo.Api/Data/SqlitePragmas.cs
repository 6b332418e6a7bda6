using System.Data.Common;
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

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
