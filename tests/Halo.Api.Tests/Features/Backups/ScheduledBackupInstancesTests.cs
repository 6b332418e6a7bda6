using Halo.Api.Tests.Infrastructure;
using Npgsql;

namespace Halo.Api.Tests.Features.Backups;

/// <summary>Two instances on one PostgreSQL database fire the same backup schedule (ADR 6).</summary>
public sealed class ScheduledBackupInstancesTests
{
    [Fact]
    public async Task TwoInstancesFiringTheSameScheduleTakeOneBackupPerOccurrence()
    {
        var database = "halo_test_" + Guid.NewGuid().ToString("N")[..12];
        HaloApiFactory Instance() => new HaloApiFactory(DbProvider.Postgres, postgresDatabase: database) { UseRealClock = true, KeepStoreOnDispose = true }
            .With("Backups:ScheduleEnabled", "true").With("Backups:Cron", "0/10 * * * * ?").With("Backups:Keep", "1000");
        var a = Instance();
        var b = Instance();
        try
        {
            a.CreateClient().Dispose();
            b.CreateClient().Dispose();
            var cs = new NpgsqlConnectionStringBuilder(PostgresTestServer.BaseConnectionString) { Database = database }.ConnectionString;
            int Files() => new[] { a, b }.Sum(x => Directory.Exists(Path.Combine(x.DataDirectory, "backups"))
                ? Directory.GetFiles(Path.Combine(x.DataDirectory, "backups"), "halo-backup-*.tar.gz").Length : 0);
            // Every occurrence is fired by both instances; each claimed one must give exactly one archive.
            var (claims, files) = (0L, 0);
            for (var i = 0; i < 600; i++)
            {
                var before = await ClaimsAsync(cs);
                files = Files();
                claims = await ClaimsAsync(cs);
                if (claims >= 2 && before == claims && files == claims) break;
                await Task.Delay(100);
            }
            Assert.True(claims >= 2, $"{claims} scheduled backups claimed");
            Assert.Equal(claims, files);
        }
        finally
        {
            a.Dispose();
            b.Dispose();
            PostgresTestServer.DropDatabase(database);
            foreach (var x in new[] { a, b })
                try { Directory.Delete(x.DataDirectory, recursive: true); } catch (IOException) { }
        }
    }

    private static async Task<long> ClaimsAsync(string cs)
    {
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT count(*) FROM job_claims WHERE \"Job\" LIKE '%scheduled-backup'", conn);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }
}
