using Halo.Api.Data;
using Halo.Api.Features.Audit;
using Halo.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Halo.Api.Tests.Features.Audit;

/// <summary>
/// Moderation decisions used to live in their own table. Upgrading a store must carry every one of them into the one
/// audit log: migrate a fresh store to the first migration, write decisions the old way, migrate to the latest.
/// </summary>
public sealed class AuditLogMigrationTests
{
    [Fact]
    public async Task UpgradeCarriesModerationDecisionsIntoTheAuditLogOnSqlite()
    {
        var dir = Path.Combine(Path.GetTempPath(), "halo-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var options = new DbContextOptionsBuilder<SqliteHaloDbContext>();
        DataRegistration.ConfigureSqlite(options, $"Data Source={Path.Combine(dir, "halo.db")};Pooling=False");
        await using var db = new SqliteHaloDbContext(options.Options);
        // The old table as EF Core stored it on SQLite: UTC ticks, upper-case GUID text.
        await UpgradeCarriesDecisions(db, at => at.Ticks, id => id.ToString().ToUpperInvariant());
    }

    [Fact]
    public async Task UpgradeCarriesModerationDecisionsIntoTheAuditLogOnPostgres()
    {
        var name = "halo_test_" + Guid.NewGuid().ToString("N")[..12];
        var options = new DbContextOptionsBuilder<PostgresHaloDbContext>();
        DataRegistration.ConfigurePostgres(options, PostgresTestServer.CreateDatabase(name));
        try
        {
            await using var db = new PostgresHaloDbContext(options.Options);
            await UpgradeCarriesDecisions(db, at => at, id => id);
        }
        finally
        {
            Npgsql.NpgsqlConnection.ClearAllPools();
            PostgresTestServer.DropDatabase(name);
        }
    }

    private static async Task UpgradeCarriesDecisions(HaloDbContext db, Func<DateTime, object> instant, Func<Guid, object> uuid)
    {
        var migrator = db.GetService<IMigrator>();
        await migrator.MigrateAsync(db.Database.GetMigrations().First());
        var (audit, incident, target) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        var at = new DateTime(2025, 3, 1, 12, 0, 0, DateTimeKind.Utc);
        await db.Database.ExecuteSqlRawAsync(
            "INSERT INTO moderation_actions (\"Id\", \"IncidentId\", \"Action\", \"Actor\", \"Reason\", \"TargetIncidentId\", " +
            "\"PreviousStatus\", \"NewStatus\", \"ReportsMoved\", \"At\") VALUES ({0}, {1}, 'merge', 'moderator-1', 'Same fight', {2}, " +
            "'unverified', 'deleted', 2, {3})", [uuid(audit), uuid(incident), uuid(target), instant(at)]);

        await migrator.MigrateAsync();

        var row = await db.Set<AuditEntry>().AsNoTracking().SingleAsync();
        Assert.Equal((audit, at, "moderator-1", "moderation.merge", "incident"), (row.Id, row.At, row.Actor, row.Action, row.EntityType));
        Assert.Equal((incident.ToString(), target.ToString(), "Same fight"), (row.EntityId, row.RelatedEntityId, row.Reason));
        Assert.Equal(("unverified", "deleted", "{\"reports_moved\":2}"), (row.Before, row.After, row.Details));
    }
}
