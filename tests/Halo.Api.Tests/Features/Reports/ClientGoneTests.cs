using Halo.Api.Data;
using Halo.Api.Features.Reports;
using Halo.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Halo.Api.Tests.Features.Reports;

/// <summary>
/// A client that goes away once its decision is written (a closed tab, a load generator stopping) under the cluster
/// lock, once per provider: the decision commits, as the outbox's retry with the same key expects, and nothing is
/// logged as an error.
/// </summary>
public abstract class ClientGoneTests(LogCapturingApiFactory factory)
{
    [Fact]
    public async Task ADecisionWrittenBeforeTheClientLeftIsCommittedWithoutAnErrorLogged()
    {
        await using var scope = factory.Scope();
        var db = scope.ServiceProvider.GetRequiredService<HaloDbContext>();
        var clusterLock = scope.ServiceProvider.GetRequiredService<ClusterLock>();
        var source = TestIncidents.NewSource();
        using var leaving = new CancellationTokenSource();
        factory.Logs.Clear();

        var written = await clusterLock.RunSubmissionAsync(db, ClusterLock.SubmissionKeys(59.33, 18.06, 2_000), async (_, token) =>
        {
            var row = TestIncidents.Make(source, 59.33, 18.06, DateTime.UtcNow.AddHours(-1));
            db.Incidents.Add(row);
            await db.SaveChangesAsync(token);
            leaving.Cancel(); // the request is aborted between the last write and the commit
            return row.Id;
        }, leaving.Token);

        Assert.Equal(1, await factory.WithDb(d => d.Incidents.CountAsync(i => i.Source == source && i.Id == written)));
        var errors = factory.Logs.Entries.Where(e => e.Level >= LogLevel.Error).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Fact]
    public async Task AClientThatLeavesBeforeTheWriteLeavesNothingBehindAndNoErrorLogged()
    {
        await using var scope = factory.Scope();
        var db = scope.ServiceProvider.GetRequiredService<HaloDbContext>();
        var clusterLock = scope.ServiceProvider.GetRequiredService<ClusterLock>();
        var source = TestIncidents.NewSource();
        using var leaving = new CancellationTokenSource();
        factory.Logs.Clear();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => clusterLock.RunSubmissionAsync(db, [], async (_, token) =>
        {
            db.Incidents.Add(TestIncidents.Make(source, 59.33, 18.06, DateTime.UtcNow.AddHours(-1)));
            leaving.Cancel();
            await db.SaveChangesAsync(token);
            return 0;
        }, leaving.Token));

        Assert.Equal(0, await factory.WithDb(d => d.Incidents.CountAsync(i => i.Source == source)));
        var errors = factory.Logs.Entries.Where(e => e.Level >= LogLevel.Error).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Fact]
    public async Task TheNextUserOfAPooledContextGetsItsSavepointsBack()
    {
        HaloDbContext used;
        await using (var scope = factory.Scope())
        {
            used = scope.ServiceProvider.GetRequiredService<HaloDbContext>();
            await scope.ServiceProvider.GetRequiredService<ClusterLock>().RunAsync(used, _ => Task.FromResult(0), CancellationToken.None);
            Assert.False(used.Database.AutoSavepointsEnabled);
        }
        // Contexts come from a pool: take them until the one the decision used comes back.
        var scopes = new List<AsyncServiceScope>();
        try
        {
            HaloDbContext? again = null;
            for (var n = 0; n < 64 && again is null; n++)
            {
                var scope = factory.Scope();
                scopes.Add(scope);
                var db = scope.ServiceProvider.GetRequiredService<HaloDbContext>();
                if (ReferenceEquals(db, used)) again = db;
            }
            Assert.NotNull(again);
            Assert.True(again.Database.AutoSavepointsEnabled);
        }
        finally
        {
            foreach (var scope in scopes) await scope.DisposeAsync();
        }
    }
}

public sealed class SqliteClientGoneFactory() : LogCapturingApiFactory(DbProvider.Sqlite);
public sealed class PostgresClientGoneFactory() : LogCapturingApiFactory(DbProvider.Postgres);

public sealed class SqliteClientGoneTests(SqliteClientGoneFactory f) : ClientGoneTests(f), IClassFixture<SqliteClientGoneFactory>;
public sealed class PostgresClientGoneTests(PostgresClientGoneFactory f) : ClientGoneTests(f), IClassFixture<PostgresClientGoneFactory>;
