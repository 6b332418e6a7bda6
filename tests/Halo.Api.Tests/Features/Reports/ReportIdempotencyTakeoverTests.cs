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
    private static readonly TimeSpan Stale = TimeSpan.FromSeconds(120);

    private async Task<IdempotencyBegin> Begin(string key, string hash)
    {
        await using var scope = factory.Scope();
        return await scope.ServiceProvider.GetRequiredService<IdempotencyStore>().BeginAsync(ReportsEndpoints.IdempotencyScope, key, hash, Stale, default);
    }

    [Fact]
    public async Task WhileAKeysFirstRequestRunsOthersGet409Or422ThenTheStoredReplay()
    {
        var key = Guid.NewGuid().ToString("N");
        await using var first = factory.Scope();
        var store = first.ServiceProvider.GetRequiredService<IdempotencyStore>();
        var started = Assert.IsType<IdempotencyBegin.Started>(await store.BeginAsync(ReportsEndpoints.IdempotencyScope, key, "hash-a", Stale, default));

        Assert.IsType<IdempotencyBegin.InProgress>(await Begin(key, "hash-a"));
        Assert.IsType<IdempotencyBegin.BodyMismatch>(await Begin(key, "hash-b"));

        store.TrackCompletion(ReportsEndpoints.IdempotencyScope, key, started.Attempt, 201, "application/json", "{\"n\":1}");
        await first.ServiceProvider.GetRequiredService<HaloDbContext>().SaveChangesAsync();
        store.Release();

        Assert.Equal("{\"n\":1}", Assert.IsType<IdempotencyBegin.Replay>(await Begin(key, "hash-a")).Body);
        Assert.IsType<IdempotencyBegin.BodyMismatch>(await Begin(key, "hash-b"));
    }

    [Fact]
    public async Task AnAbandonedKeyRunsAfreshAndLeavesNoRow()
    {
        var key = Guid.NewGuid().ToString("N");
        await using (var first = factory.Scope())
        {
            var store = first.ServiceProvider.GetRequiredService<IdempotencyStore>();
            var started = Assert.IsType<IdempotencyBegin.Started>(await store.BeginAsync(ReportsEndpoints.IdempotencyScope, key, "hash-a", Stale, default));
            await store.AbandonAsync(ReportsEndpoints.IdempotencyScope, key, started.Attempt);
            store.Release();
        }
        Assert.False(await factory.WithDb(db => db.Set<IdempotencyRecord>().AnyAsync(r => r.Key == key)));
        Assert.IsType<IdempotencyBegin.Started>(await Begin(key, "hash-a"));
    }

    [Fact]
    public async Task ACompletionFromARequestWhoseKeyWasTakenOverFailsAndLeavesTheNewOwnerInCharge()
    {
        var key = Guid.NewGuid().ToString("N");
        // The first request claimed the key with an in-progress row (PostgreSQL; on SQLite a row left from before the
        // in-process claim) and is still running three minutes later, when a retry takes the key over.
        var first = new IdempotencyBegin.Started(Guid.NewGuid());
        await factory.WithDb(db =>
        {
            db.Add(new IdempotencyRecord
            {
                Scope = ReportsEndpoints.IdempotencyScope, Key = key, RequestHash = "hash", Attempt = first.Attempt, CreatedAt = factory.Now(),
            });
            return db.SaveChangesAsync();
        });
        factory.Clock.Advance(TimeSpan.FromMinutes(3));
        await using var retry = factory.Scope();
        var retryStore = retry.ServiceProvider.GetRequiredService<IdempotencyStore>();
        var second = Assert.IsType<IdempotencyBegin.Started>(
            await retryStore.BeginAsync(ReportsEndpoints.IdempotencyScope, key, "hash", TimeSpan.FromSeconds(120), default));
        Assert.NotEqual(first.Attempt, second.Attempt);

        // The slow first request now tries to commit its completion.
        await using var slow = factory.Scope();
        var slowStore = slow.ServiceProvider.GetRequiredService<IdempotencyStore>();
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
