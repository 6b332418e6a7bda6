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

    public async Task<bool> TryClaimAsync(IJobExecutionContext context, CancellationToken ct)
    {
        var job = context.JobDetail.Key.ToString();
        // The scheduled time, not the actual one: instances fire a few milliseconds apart but agree on this.
        var fireTime = (context.ScheduledFireTimeUtc ?? context.FireTimeUtc).UtcDateTime;
        fireTime = new DateTime(fireTime.Ticks - fireTime.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HaloDbContext>();
        db.Add(new JobClaim { Job = job, FireTime = fireTime, Instance = Instance, ClaimedAt = clock.GetUtcNow().UtcDateTime });
        try
        {
            await db.SaveChangesAsync(ct);
            return true;
        }
        catch (DbUpdateException)
        {
            if (await ClaimedAsync(job, fireTime, ct)) return false; // another instance runs this one
            throw;
        }
    }

    private async Task<bool> ClaimedAsync(string job, DateTime fireTime, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HaloDbContext>();
        return await db.Set<JobClaim>().AnyAsync(c => c.Job == job && c.FireTime == fireTime, ct);
    }
}
