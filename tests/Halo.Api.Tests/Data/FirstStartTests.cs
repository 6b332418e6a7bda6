using Halo.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Halo.Api.Tests.Data;

/// <summary>An operator's first start on an empty store, at the shipped log levels: migrated, and no error in the log.</summary>
public sealed class FirstStartTests
{
    [Theory]
    [InlineData(DbProvider.Sqlite)]
    [InlineData(DbProvider.Postgres)]
    public async Task ABrandNewStoreIsMigratedWithoutAnErrorLogged(DbProvider provider)
    {
        using var factory = new LogCapturingApiFactory(provider);
        await AssertMigratedWithoutErrors(factory);
    }

    [Fact]
    public async Task APostgresDatabaseThatDoesNotExistYetIsCreatedAndMigratedWithoutAnErrorLogged()
    {
        var name = "halo_test_absent_" + Guid.NewGuid().ToString("N")[..12];
        try
        {
            using var factory = new LogCapturingApiFactory(DbProvider.Postgres);
            factory.With("Database:ConnectionString", new NpgsqlConnectionStringBuilder(PostgresTestServer.BaseConnectionString) { Database = name }.ConnectionString);
            await AssertMigratedWithoutErrors(factory);
            Assert.Equal(name, await factory.WithDb(db => Task.FromResult(db.Database.GetDbConnection().Database)));
        }
        finally
        {
            PostgresTestServer.DropDatabase(name);
        }
    }

    private static async Task AssertMigratedWithoutErrors(LogCapturingApiFactory factory)
    {
        using var client = factory.CreateClient();
        Assert.True((await client.GetAsync("/health")).IsSuccessStatusCode);
        Assert.Empty(await factory.WithDb(async db => (await db.Database.GetPendingMigrationsAsync()).ToList()));
        var errors = factory.Logs.Entries.Where(e => e.Level >= LogLevel.Error).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }
}
