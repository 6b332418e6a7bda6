using System.Net;
using Halo.Api.Tests.Infrastructure;

namespace Halo.Api.Tests.Features.Health;

/// <summary>/health/ready: ready only when the store takes writes and the data folder has room; failing checks are named.</summary>
public abstract class ReadinessTests(HaloApiFactory factory)
{
    [Fact]
    public async Task AWritableStoreWithRoomIsReady()
    {
        var res = await factory.CreateClient().GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, res.StatusCode);
        Assert.Equal("ready", (await res.ReadJsonAsync()).GetProperty("status").GetString());
    }

    [Fact]
    public async Task TooLittleFreeSpaceIsNotReadyAndNamesTheDiskCheck()
    {
        // More than any test machine has free.
        using var full = new HaloApiFactory(factory.Provider).With("Database:MinFreeDiskMegabytes", "1000000");
        var client = full.CreateClient();
        var res = await client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, res.StatusCode);
        var problem = await res.ReadJsonAsync();
        Assert.Equal("Not ready", problem.GetProperty("title").GetString());
        var checks = problem.GetProperty("checks");
        Assert.Contains("below Database:MinFreeDiskMegabytes", checks.GetProperty("disk_space").GetString());
        Assert.False(checks.TryGetProperty("database", out _), checks.ToString());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);
    }
}

public sealed class SqliteReadinessTests(SqliteApiFactory f) : ReadinessTests(f), IClassFixture<SqliteApiFactory>;
public sealed class PostgresReadinessTests(PostgresApiFactory f) : ReadinessTests(f), IClassFixture<PostgresApiFactory>;
