using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Microsoft.Data.Sqlite;
using static Halo.Api.Tests.Features.Reports.ReportTestHelpers;

namespace Halo.Api.Tests.Infrastructure;

/// <summary>A SQLite store that is locked by another process or sits on a full disk answers 503 + Retry-After, quickly.</summary>
public sealed class SqliteStoreUnavailableTests
{
    private const int BusySeconds = 2;

    private static HaloApiFactory NewFactory(string? dataDirectory = null) =>
        Configure(new HaloApiFactory(DbProvider.Sqlite, dataDirectory));

    private static HaloApiFactory Configure(HaloApiFactory factory) =>
        factory
            .With("Database:BusyTimeoutSeconds", BusySeconds.ToString())
            .With("Database:RetryAfterSeconds", "7");

    private static async Task<(HttpResponseMessage Response, TimeSpan Took)> Timed(Func<Task<HttpResponseMessage>> send)
    {
        var watch = Stopwatch.StartNew();
        var response = await send();
        return (response, watch.Elapsed);
    }

    private static Task AssertUnavailable(HttpResponseMessage res, string what) => res.AssertStoreUnavailable(what, 7);

    private static Task<HttpResponseMessage> Register(HttpClient client) =>
        client.PostAsJsonAsync("/api/v1/auth/register", new { email = $"u{Guid.NewGuid():N}@example.org", password = TestUsers.Password });

    [Fact]
    public async Task SubmissionsQueuedBehindALockedFileEachAnswer503WithinTheBoundNotOneAfterAnother()
    {
        using var factory = NewFactory();
        var client = factory.CreateClient();
        var (lat, lon) = NewPlace();
        await client.SubmitOk(Body(NewDevice(), lat, lon, factory.Now().AddMinutes(-5)));

        await using var holder = new SqliteConnection($"Data Source={Path.Combine(factory.DataDirectory, "halo.db")};Pooling=False");
        await holder.OpenAsync();
        await using (var begin = holder.CreateCommand())
        {
            begin.CommandText = "BEGIN EXCLUSIVE;";
            await begin.ExecuteNonQueryAsync();
        }

        // Eight reporters at once: one waits on SQLite's lock inside the write gate, the others wait for the gate. Each
        // may wait the bound for the gate and then the bound for the file, never the sum of everyone's waits.
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(n =>
            Timed(() => client.SubmitRaw(Body(NewDevice(), lat + 0.05 + n * 0.1, lon, factory.Now().AddMinutes(-5))))));
        foreach (var (response, _) in results) await AssertUnavailable(response, "queued submit");
        // The sum of everyone's waits would be 8 × BusySeconds; the slack below it is for a loaded 2-core machine.
        Assert.InRange(results.Max(r => r.Took), TimeSpan.Zero, TimeSpan.FromSeconds(6 * BusySeconds));
    }

    [Fact]
    public async Task AFileLockedByAnotherConnectionAnswers503WithRetryAfterWithinTheBoundOnSubmitAndRegister()
    {
        using var factory = new LogCapturingApiFactory(DbProvider.Sqlite);
        Configure(factory);
        var client = factory.CreateClient();
        var (lat, lon) = NewPlace();
        await client.SubmitOk(Body(NewDevice(), lat, lon, factory.Now().AddMinutes(-5)));
        factory.Logs.Clear();

        // Another process's view of the file: its own connection, outside the app's pool, holding the write lock.
        await using (var holder = new SqliteConnection($"Data Source={Path.Combine(factory.DataDirectory, "halo.db")};Pooling=False"))
        {
            await holder.OpenAsync();
            await using (var begin = holder.CreateCommand())
            {
                begin.CommandText = "BEGIN EXCLUSIVE;";
                await begin.ExecuteNonQueryAsync();
            }

            var (submit, submitTook) = await Timed(() => client.SubmitRaw(Body(NewDevice(), lat + 0.05, lon, factory.Now().AddMinutes(-5))));
            await AssertUnavailable(submit, "submit");
            var (register, registerTook) = await Timed(() => Register(client));
            Assert.NotEqual(HttpStatusCode.Conflict, register.StatusCode);
            await AssertUnavailable(register, "register");
            // The bound is the option, plus Microsoft.Data.Sqlite's last 150 ms retry sleep and the request itself on a
            // loaded machine; still far below the driver's own 30 s default, which would mean the option was ignored.
            Assert.InRange(submitTook, TimeSpan.FromSeconds(BusySeconds - 0.5), TimeSpan.FromSeconds(5 * BusySeconds));
            Assert.InRange(registerTook, TimeSpan.FromSeconds(BusySeconds - 0.5), TimeSpan.FromSeconds(5 * BusySeconds));
            // One warning line per refused request, and no "unhandled exception" error with its stack trace.
            var logs = factory.Logs.Entries;
            Assert.Equal(2, logs.Count(e => e.Category.EndsWith("StoreUnavailableHandler", StringComparison.Ordinal) && e.Level == Microsoft.Extensions.Logging.LogLevel.Warning));
            Assert.DoesNotContain(logs, e => e.Category.StartsWith("Microsoft.AspNetCore.Diagnostics", StringComparison.Ordinal));

            var ready = await client.GetAsync("/health/ready");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            var checks = (await ready.ReadJsonAsync()).GetProperty("checks");
            Assert.True(checks.TryGetProperty("database", out _), checks.ToString());
            Assert.False(checks.TryGetProperty("disk_space", out _), checks.ToString());
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode); // liveness is not readiness
        }

        // The lock is gone: the same requests succeed again (the failed submission left no idempotency claim behind).
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await Register(client)).StatusCode);
        await client.SubmitOk(Body(NewDevice(), lat + 0.05, lon, factory.Now().AddMinutes(-5)));
    }

    [Fact]
    public async Task RegisteringATakenEmailStillAnswers409()
    {
        using var factory = NewFactory();
        var client = factory.CreateClient();
        var email = $"u{Guid.NewGuid():N}@example.org";
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/v1/auth/register", new { email, password = TestUsers.Password })).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await client.PostAsJsonAsync("/api/v1/auth/register", new { email, password = TestUsers.Password })).StatusCode);
    }

    [TmpfsFact]
    public async Task AFullDataFolderAnswers503WithRetryAfterAndReadinessSaysNotReady()
    {
        using var disk = new Tmpfs(8);
        var data = Path.Combine(disk.Path, "data");
        using var factory = NewFactory(data).With("Database:MinFreeDiskMegabytes", "1");
        factory.KeepStoreOnDispose = true; // the mount goes with the Tmpfs
        var client = factory.CreateClient();
        var (lat, lon) = NewPlace();
        await client.SubmitOk(Body(NewDevice(), lat, lon, factory.Now().AddMinutes(-5)));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);

        disk.Fill();

        var (submit, took) = await Timed(() => client.SubmitRaw(Body(NewDevice(), lat + 0.05, lon, factory.Now().AddMinutes(-5),
            description: new string('x', 1500))));
        await AssertUnavailable(submit, "submit");
        Assert.True(took < TimeSpan.FromSeconds(BusySeconds + 3), $"took {took}");
        var register = await Register(client);
        Assert.NotEqual(HttpStatusCode.Conflict, register.StatusCode);
        await AssertUnavailable(register, "register");

        // An upload fails writing its file (ENOSPC), before the database.
        await AssertUnavailable(await client.UploadPhoto(), "upload");

        var ready = await client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        var problem = await ready.ReadJsonAsync();
        Assert.Contains("disk_space", problem.GetProperty("detail").GetString());
        Assert.Contains("MB free", problem.GetProperty("checks").GetProperty("disk_space").GetString());
    }
}
