using Halo.Api.Data;
using Halo.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Halo.Api.Tests.Data;

public sealed class SqlitePragmasTests
{
    [Fact]
    public async Task EverySqliteConnectionRunsWalWithNormalSync()
    {
        using var factory = new SqliteApiFactory();
        _ = factory.Services; // starts the app: migrations and WAL
        // Several contexts open at once, so the pool hands out distinct physical connections, not the migrating one.
        var scopes = Enumerable.Range(0, 4).Select(_ => factory.Scope()).ToList();
        try
        {
            foreach (var scope in scopes)
            {
                var db = scope.ServiceProvider.GetRequiredService<HaloDbContext>();
                await db.Database.OpenConnectionAsync();
                Assert.Equal(1L, await Pragma(db, "synchronous")); // 1 = NORMAL (2 = FULL fsyncs every commit)
                Assert.Equal("wal", await PragmaText(db, "journal_mode"));
                Assert.Equal(10_000L, await Pragma(db, "wal_autocheckpoint"));
            }
        }
        finally
        {
            foreach (var scope in scopes) await scope.DisposeAsync();
        }
    }

    private static async Task<long> Pragma(HaloDbContext db, string name)
    {
        await using var cmd = db.Database.GetDbConnection().CreateCommand();
        cmd.CommandText = $"PRAGMA {name}";
        return Convert.ToInt64(await cmd.ExecuteScalarAsync());
    }

    private static async Task<string> PragmaText(HaloDbContext db, string name)
    {
        await using var cmd = db.Database.GetDbConnection().CreateCommand();
        cmd.CommandText = $"PRAGMA {name}";
        return Convert.ToString(await cmd.ExecuteScalarAsync())!;
    }
}
