using System.Globalization;
using Halo.Api.Data;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Halo.Api.Infrastructure;

/// <summary>
/// A bounded wait for the store ran out: thrown by an in-process gate in front of the store (such as a write queue)
/// when its turn did not come within <see cref="DatabaseOptions.BusyTimeoutSeconds"/>. Answered 503 like SQLITE_BUSY.
/// </summary>
public sealed class StoreBusyException(string message) : TimeoutException(message);

/// <summary>What a store failure means for the caller: unavailable for now (503), or a real constraint violation.</summary>
public static class StoreErrors
{
    /// <summary>
    /// Why the store cannot serve right now (busy, locked, full, read-only, unreachable, out of connections), or null
    /// when <paramref name="exception"/> is something else. Looks through wrappers (DbUpdateException, EF's retry limit).
    /// </summary>
    public static string? Unavailable(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case SqliteException s when SqliteUnavailable(s.SqliteErrorCode) is { } code:
                    return $"SQLite {code}";
                case PostgresException p when PostgresUnavailable(p.SqlState):
                    return $"PostgreSQL {p.SqlState}";
                // Connection refused or dropped, pool exhausted, timeouts, and transient server states (serialization
                // failures and deadlocks that outlived the retries).
                case NpgsqlException { IsTransient: true } n:
                    return n is PostgresException pg ? $"PostgreSQL {pg.SqlState}" : "PostgreSQL unreachable or out of connections";
                case StoreBusyException:
                    return "busy";
                case IOException io when IsDiskFull(io):
                    return "disk full";
            }
        }
        return null;
    }

    /// <summary>
    /// Runs <paramref name="work"/> until the store can serve it, waiting 2, 4, … 60 s between tries. For background
    /// work at start: a store that is briefly unreachable or out of connections (a loaded server, a restart) must not
    /// fault the service, because a faulted background service stops the whole host.
    /// </summary>
    public static async Task<T> WaitOutUnavailableAsync<T>(Func<CancellationToken, Task<T>> work, string what,
        ILogger logger, TimeProvider clock, CancellationToken ct)
    {
        var wait = TimeSpan.FromSeconds(2);
        while (true)
        {
            try { return await work(ct); }
            catch (Exception ex) when (ex is not OperationCanceledException && Unavailable(ex) is { } reason)
            {
                logger.LogWarning("{What}: the store is unavailable ({Reason}); trying again in {Seconds} s", what, reason, wait.TotalSeconds);
                await Task.Delay(wait, clock, ct);
                wait = TimeSpan.FromSeconds(Math.Min(60, wait.TotalSeconds * 2));
            }
        }
    }

    private static string? SqliteUnavailable(int code) => (code & 0xFF) switch
    {
        5 => "SQLITE_BUSY",
        6 => "SQLITE_LOCKED",
        7 => "SQLITE_NOMEM",
        8 => "SQLITE_READONLY",
        10 => "SQLITE_IOERR",
        13 => "SQLITE_FULL",
        14 => "SQLITE_CANTOPEN",
        _ => null,
    };

    private static bool PostgresUnavailable(string state) =>
        state.StartsWith("08", StringComparison.Ordinal) // connection exceptions
        || state.StartsWith("53", StringComparison.Ordinal) // insufficient resources: disk full, out of memory, too many connections
        || state is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow
            or PostgresErrorCodes.ReadOnlySqlTransaction // a standby, or default_transaction_read_only
            or PostgresErrorCodes.LockNotAvailable or PostgresErrorCodes.QueryCanceled // lock_timeout, statement_timeout
            or PostgresErrorCodes.IoError;

    // ENOSPC and EDQUOT on Linux (.NET puts the errno in HResult); ERROR_DISK_FULL and ERROR_HANDLE_DISK_FULL on Windows.
    private static bool IsDiskFull(IOException e) => OperatingSystem.IsWindows()
        ? (e.HResult & 0xFFFF) is 0x70 or 0x27
        : e.HResult is 28 or 122;
}

/// <summary>
/// Answers a request that failed because the store is unavailable (<see cref="StoreErrors.Unavailable"/>) with 503,
/// <c>Retry-After</c> (<see cref="DatabaseOptions.RetryAfterSeconds"/>) and ProblemDetails, and logs one warning line
/// without a stack trace: the condition is operational, not a bug.
/// </summary>
internal sealed class StoreUnavailableHandler(IProblemDetailsService problems, IOptions<DatabaseOptions> options, ILogger<StoreUnavailableHandler> logger)
    : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        // A client that went away is not a store failure, even if the cancelled command says so.
        if (http.RequestAborted.IsCancellationRequested || StoreErrors.Unavailable(exception) is not { } reason) return false;
        var retryAfter = options.Value.RetryAfterSeconds;
        logger.LogWarning("{Method} {Path}: the data store is unavailable ({Reason}: {Message}); answered 503",
            http.Request.Method, http.Request.Path.Value, reason, exception.GetBaseException().Message);
        http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        http.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            Exception = exception,
            ProblemDetails =
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "Store unavailable",
                Detail = $"The data store is busy or unavailable; retry in {retryAfter} s.",
            },
        });
    }
}
