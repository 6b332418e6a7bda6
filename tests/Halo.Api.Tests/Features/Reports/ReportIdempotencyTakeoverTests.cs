using Halo.Api.Data;
using Halo.Api.Features.Reports;
using Halo.Api.Infrastructure.Idempotency;
using Halo.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Halo.Api.Tests.Features.Reports;

/// <summary>
/// The idempotency completion rides in the submission's transaction; once per provider: a request whose key a retry
/// took over (it ran past Reports:IdempotencyStaleSeconds) must not overwrite the retry's record.
/// </summary>
public abstract class ReportIdempotencyTakeoverTests(HaloApiFactory factory)
{
    [Fact]
    public async Task ACompletionFromARequestWhoseKeyWasTakenOverFailsAndLeavesTheNewOwnerInCharge()
    {
        var key = Guid.NewGuid().ToString("N");
        await using var slow = factory.Scope();
        var slowStore = slow.ServiceProvider.GetRequiredService<IdempotencyStore>();
        var first = Assert.IsType<IdempotencyBegin.Started>(
            await slowStore.BeginAsync(ReportsEndpoints.IdempotencyScope, key, "hash", TimeSpan.FromSeconds(120), default));

        // The first request is still running three minutes later: a retry takes the key over.
        factory.Clock.Advance(TimeSpan.FromMinutes(3));
        await using var retry = factory.Scope();
        var retryStore = retry.ServiceProvider.GetRequiredService<IdempotencyStore>();
        var second = Assert.IsType<IdempotencyBegin.Started>(
            await retryStore.BeginAsync(ReportsEndpoints.IdempotencyScope, key, "hash", TimeSpan.FromSeconds(120), default));
        Assert.NotEqual(first.Attempt, second.Attempt);

        var slowDb = slow.ServiceProvider.GetRequiredService<HaloDbContext>();
        slowStore.TrackCompletion(ReportsEndpoints.IdempotencyScope, key, first.Attempt, 201, "application/json", "{\"from\":\"first\"}");
        await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => slowDb.SaveChangesAsync());

        var record = await factory.WithDb(db => db.Set<IdempotencyRecord>().AsNoTracking().SingleAsync(r => r.Key == key));
        Assert.Equal((IdempotencyStates.InProgress, second.Attempt, (string?)null), (record.State, record.Attempt, record.ResponseBody));

        var retryDb = retry.ServiceProvider.GetRequiredService<HaloDbContext>();
        retryStore.TrackCompletion(ReportsEndpoints.IdempotencyScope, key, second.Attempt, 201, "application/json", "{\"from\":\"retry\"}");
        Assert.Equal(1, await retryDb.SaveChangesAsync());
        await using var later = factory.Scope();
        var replay = Assert.IsType<IdempotencyBegin.Replay>(await later.ServiceProvider.GetRequiredService<IdempotencyStore>()
            .BeginAsync(ReportsEndpoints.IdempotencyScope, key, "hash", TimeSpan.FromSeconds(120), default));
        Assert.Equal("{\"from\":\"retry\"}", replay.Body);
    }
}

public sealed class ReportIdempotencyTakeoverSqliteTests(SqliteApiFactory f) : ReportIdempotencyTakeoverTests(f), IClassFixture<SqliteApiFactory>;

public sealed class ReportIdempotencyTakeoverPostgresTests(PostgresApiFactory f) : ReportIdempotencyTakeoverTests(f), IClassFixture<PostgresApiFactory>;
