using System.Net;
using Microsoft.Extensions.Logging;
using static Halo.Api.Tests.Features.Reports.ReportTestHelpers;

namespace Halo.Api.Tests.Infrastructure.Idempotency;

/// <summary>An idempotent replay is a normal request: it runs no failing command and logs at most one info line.</summary>
public abstract class ReplayLoggingTests(LogCapturingApiFactory factory)
{
    [Fact]
    public async Task AReplayLogsAtMostOneInfoLineAndNoFailure()
    {
        var client = factory.CreateClient();
        var (lat, lon) = NewPlace();
        var key = Guid.NewGuid().ToString("N");
        var body = Body(NewDevice(), lat, lon, factory.Now().AddMinutes(-5));
        await client.SubmitOk(body, key);

        factory.Logs.Clear();
        var replay = await client.SubmitRaw(body, key);
        Assert.Equal(HttpStatusCode.Created, replay.StatusCode);
        Assert.Equal("true", replay.Headers.GetValues("Idempotent-Replayed").Single());

        var logged = factory.Logs.Entries.Where(e => e.Level >= LogLevel.Information).ToList();
        Assert.True(logged.All(e => e.Level < LogLevel.Warning), string.Join("\n", logged));
        Assert.True(logged.Count <= 1, string.Join("\n", logged));
    }

    [Fact]
    public async Task TheSameKeyWithAnotherBodyIsRefusedWithoutAFailureLogged()
    {
        var client = factory.CreateClient();
        var (lat, lon) = NewPlace();
        var key = Guid.NewGuid().ToString("N");
        await client.SubmitOk(Body(NewDevice(), lat, lon, factory.Now().AddMinutes(-5)), key);

        factory.Logs.Clear();
        var other = await client.SubmitRaw(Body(NewDevice(), lat, lon, factory.Now().AddMinutes(-6)), key);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, other.StatusCode);
        var logged = factory.Logs.Entries.Where(e => e.Level >= LogLevel.Warning).ToList();
        Assert.True(logged.Count == 0, string.Join("\n", logged));
    }
}

public sealed class SqliteReplayLoggingFactory() : LogCapturingApiFactory(DbProvider.Sqlite);
public sealed class PostgresReplayLoggingFactory() : LogCapturingApiFactory(DbProvider.Postgres);

public sealed class SqliteReplayLoggingTests(SqliteReplayLoggingFactory f) : ReplayLoggingTests(f), IClassFixture<SqliteReplayLoggingFactory>;
public sealed class PostgresReplayLoggingTests(PostgresReplayLoggingFactory f) : ReplayLoggingTests(f), IClassFixture<PostgresReplayLoggingFactory>;
