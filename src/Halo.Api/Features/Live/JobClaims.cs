using Halo.Api.Data;
using Microsoft.EntityFrameworkCore;
using Quartz;

namespace Halo.Api.Features.Live;

/// <summary>
/// Scheduled jobs run once across instances (ADR 6): every instance fires the same cron trigger at the same scheduled
/// time, and only the one that inserts the row (job, scheduled fire time) runs it — the primary key decides, in the
/// store all instances share. One instance (SQLite) always wins its own claim.
/// </summary>
public sealed class JobClaims(IServiceScopeFactory scopes, TimeProvider clock)
{
    /// <summary>This process, as named in the claims it wins.</summary>
    public static readonly string Instance = Truncate($"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}");

    private static string Truncate(string s) => s.Length > 200 ? s[..200] : s;

    // The scheduled time, not the actual one: instances fire a few milliseconds apart but agree on this.
    public Task<bool> TryClaimAsync(IJobExecutionContext context, CancellationToken ct) =>
        TryClaimAsync(context.JobDetail.Key.ToString(), context.ScheduledFireTimeUtc ?? context.FireTimeUtc, ct);

    /// <summary>True when this instance is the one to run <paramref name="job"/> at <paramref name="scheduled"/> (to the second).</summary>
    public async Task<bool> TryClaimAsync(string job, DateTimeOffset scheduled, CancellationToken ct)
    {
        var fireTime = scheduled.UtcDateTime;
        fireTime = new DateTime(fireTime.Ticks - fireTime.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HaloDbContext>();
        var d = db.Dialect;
        object[] values = [job, d.ToStored(fireTime), Instance, d.ToStored(clock.GetUtcNow().UtcDateTime)];
        // ON CONFLICT DO NOTHING (both stores), not an insert that fails: losing the claim is every other instance's
        // normal case at every scheduled time, and a failed insert is logged by EF as an error with its stack trace.
        var inserted = await scope.ServiceProvider.GetRequiredService<WriteGate>().RunAsync(token => db.Database.ExecuteSqlRawAsync(
            """INSERT INTO job_claims ("Job", "FireTime", "Instance", "ClaimedAt") VALUES ({0}, {1}, {2}, {3}) ON CONFLICT DO NOTHING""",
            values, token), ct);
        return inserted == 1;
    }
}
