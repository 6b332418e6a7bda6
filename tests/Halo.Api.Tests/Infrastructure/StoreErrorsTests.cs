using Halo.Api.Data;
using Halo.Api.Features.Auth;
using Halo.Api.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Halo.Api.Tests.Infrastructure;

/// <summary>Real store failures, classified: what is "unavailable, retry" (503) and what is a real duplicate (409).</summary>
public sealed class StoreErrorsTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "halo-tests", Guid.NewGuid().ToString("N"));

    public StoreErrorsTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private async Task<SqliteConnection> OpenAsync(string extra = "")
    {
        var c = new SqliteConnection($"Data Source={Path.Combine(_dir, "t.db")};Pooling=False{extra}");
        await c.OpenAsync();
        return c;
    }

    private static async Task ExecAsync(SqliteConnection c, string sql)
    {
        await using var command = c.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task AFileWhoseWriteLockIsHeldElsewhereIsBusy()
    {
        await using var holder = await OpenAsync();
        await ExecAsync(holder, "CREATE TABLE t (x); BEGIN EXCLUSIVE;");
        await using var other = await OpenAsync(";Default Timeout=1");
        var e = await Assert.ThrowsAsync<SqliteException>(() => ExecAsync(other, "BEGIN IMMEDIATE;"));
        Assert.Equal("SQLite SQLITE_BUSY", StoreErrors.Unavailable(new DbUpdateException("wrapped", e)));
    }

    [Fact]
    public async Task AFileThatCannotGrowIsFull()
    {
        await using var c = await OpenAsync();
        await ExecAsync(c, "CREATE TABLE t (x BLOB); PRAGMA max_page_count = 8;");
        var e = await Assert.ThrowsAsync<SqliteException>(async () =>
        {
            for (var i = 0; i < 100; i++) await ExecAsync(c, "INSERT INTO t VALUES (randomblob(4000));");
        });
        Assert.Equal("SQLite SQLITE_FULL", StoreErrors.Unavailable(e));
    }

    [Fact]
    public void AConstraintViolationOrABugIsNotUnavailable()
    {
        Assert.Null(StoreErrors.Unavailable(new SqliteException("constraint", 19, 2067)));
        Assert.Null(StoreErrors.Unavailable(new InvalidOperationException("a bug")));
        Assert.Null(StoreErrors.Unavailable(new IOException("some other I/O problem")));
        Assert.Equal("busy", StoreErrors.Unavailable(new InvalidOperationException("wrapped", new StoreBusyException("gate"))));
    }

    [TmpfsFact]
    public void AWriteToAFullFileSystemIsDiskFull()
    {
        using var disk = new Tmpfs(1);
        var e = Assert.ThrowsAny<IOException>(() =>
        {
            using var f = File.Create(Path.Combine(disk.Path, "big"));
            var chunk = new byte[64 * 1024];
            for (var i = 0; i < 100; i++) { f.Write(chunk); f.Flush(); }
        });
        Assert.Equal("disk full", StoreErrors.Unavailable(e));
    }
}

/// <summary>A duplicate is the caller's conflict, not an unavailable store (no 503), on both providers.</summary>
public abstract class UniqueViolationTests(HaloApiFactory factory)
{
    [Fact]
    public async Task AUniqueViolationIsNotAnUnavailableStore()
    {
        await using var scope = factory.Scope();
        var db = scope.ServiceProvider.GetRequiredService<HaloDbContext>();
        var now = DateTime.UtcNow;
        User NewUser(string email) => new() { Id = Guid.NewGuid(), Email = email, PasswordHash = "x", CreatedAt = now, UpdatedAt = now };
        var email = $"u{Guid.NewGuid():N}@example.org";
        db.Add(NewUser(email));
        await db.SaveChangesAsync();

        db.Add(NewUser(email));
        var taken = await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
        Assert.Null(StoreErrors.Unavailable(taken));
    }
}

public sealed class SqliteUniqueViolationTests(SqliteApiFactory f) : UniqueViolationTests(f), IClassFixture<SqliteApiFactory>;
public sealed class PostgresUniqueViolationTests(PostgresApiFactory f) : UniqueViolationTests(f), IClassFixture<PostgresApiFactory>;
