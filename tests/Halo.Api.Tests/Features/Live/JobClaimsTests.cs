using Halo.Api.Features.Live;
using Halo.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Halo.Api.Tests.Features.Live;

public abstract class JobClaimsTests(DbProvider provider)
{
    [Fact]
    public async Task AScheduledTimeIsClaimedOnceAndLosingTheClaimLogsNoError()
    {
        using var factory = new LogCapturingApiFactory(provider);
        var job = "claims-test-" + Guid.NewGuid().ToString("N")[..8];
        var claims = factory.Services.GetRequiredService<JobClaims>();
        var two = new DateTimeOffset(2025, 3, 14, 2, 0, 0, TimeSpan.Zero);

        // Instances fire a few milliseconds apart; within the second, the time is the same one.
        Assert.True(await claims.TryClaimAsync(job, two.AddMilliseconds(3), CancellationToken.None));
        Assert.False(await claims.TryClaimAsync(job, two.AddMilliseconds(41), CancellationToken.None));
        Assert.True(await claims.TryClaimAsync(job, two.AddDays(1), CancellationToken.None));

        var stored = await factory.WithDb(db => db.Set<JobClaim>().AsNoTracking().Where(c => c.Job == job).OrderBy(c => c.FireTime).ToListAsync());
        Assert.Equal([two.UtcDateTime, two.AddDays(1).UtcDateTime], stored.Select(c => c.FireTime));
        Assert.All(stored, c => Assert.Equal(JobClaims.Instance, c.Instance));
        Assert.All(stored, c => Assert.Equal(factory.Clock.GetUtcNow().UtcDateTime, c.ClaimedAt));
        Assert.DoesNotContain(factory.Logs.Entries, e => e.Level >= LogLevel.Error);
    }
}

public sealed class SqliteJobClaimsTests() : JobClaimsTests(DbProvider.Sqlite);
public sealed class PostgresJobClaimsTests() : JobClaimsTests(DbProvider.Postgres);
