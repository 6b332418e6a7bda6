using System.Data;
using Halo.Api.Data;
using Halo.Api.Features.Auth;
using Halo.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Halo.Api.Tests.Data;

/// <summary>
/// The seam's row lock, which guards such as "not the last admin" rely on: a second guard over the same rows waits
/// for the first one's commit, and then reads what it committed.
/// </summary>
public abstract class RowLockTests(DbProvider provider)
{
    private const string AdminsSql = """SELECT "Id" FROM users WHERE "Role" = {0}""";

    [Fact]
    public async Task ASecondGuardOverLockedRowsWaitsForTheFirstsCommitAndThenSeesIt()
    {
        using var factory = new HaloApiFactory(provider);
        var admin = await factory.CreateUserAsync(Roles.Admin);
        await using var first = factory.Scope();
        await using var second = factory.Scope();
        var db1 = first.ServiceProvider.GetRequiredService<HaloDbContext>();
        var db2 = second.ServiceProvider.GetRequiredService<HaloDbContext>();

        var locked = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        // Inside the execution strategy, as the app's guards run (PostgreSQL's retrying one allows no bare transaction).
        var guard1 = db1.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            await using var tx = await db1.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted);
            await db1.Dialect.LockRowsAsync(db1, AdminsSql, [Roles.Admin], CancellationToken.None);
            await db1.Set<User>().Where(u => u.Id == admin.User.Id).ExecuteUpdateAsync(s => s.SetProperty(u => u.Role, Roles.Citizen));
            locked.SetResult();
            await release.Task;
            await tx.CommitAsync();
        });
        await locked.Task.WaitAsync(TimeSpan.FromSeconds(30));

        var guard2 = Task.Run(() => db2.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            await using var tx = await db2.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted);
            await db2.Dialect.LockRowsAsync(db2, AdminsSql, [Roles.Admin], CancellationToken.None);
            var role = await db2.Set<User>().Where(u => u.Id == admin.User.Id).Select(u => u.Role).SingleAsync();
            await tx.CommitAsync();
            return role;
        }));
        // Waiting, not refused: it is still running well inside the store's busy bound (5 s in tests).
        await Task.Delay(TimeSpan.FromMilliseconds(400));
        Assert.False(guard2.IsCompleted, guard2.IsFaulted ? guard2.Exception!.ToString() : "the second guard did not wait");

        release.SetResult();
        await guard1.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(Roles.Citizen, await guard2.WaitAsync(TimeSpan.FromSeconds(30)));
    }
}

public sealed class SqliteRowLockTests() : RowLockTests(DbProvider.Sqlite);
public sealed class PostgresRowLockTests() : RowLockTests(DbProvider.Postgres);
