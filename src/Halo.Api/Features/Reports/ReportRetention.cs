using Halo.Api.Features.Geo;
using Halo.Api.Data;
using Halo.Api.Features.Media;
using Halo.Api.Infrastructure;
using Halo.Api.Infrastructure.Idempotency;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Quartz;

namespace Halo.Api.Features.Reports;

public sealed record RetentionResult(int ReportsAnonymised, int MediaDeleted, int ClustersCoarsened, int IdempotencyRecordsDeleted);

/// <summary>
/// The daily privacy sweep: reports older than <c>Reports:RetentionDays</c> lose their device hash, reporter id,
/// description, exact position (the resolution-9 cell stays) and sensor summary, and their media is deleted. Also
/// removes media never attached to a report and expired idempotency records. The clock is a parameter so tests can
/// drive it with a fake one.
/// </summary>
public sealed class ReportRetention(HaloDbContext db, MediaStore media, IOptions<ReportsOptions> options, ILogger<ReportRetention> logger)
{
    private const int Batch = 500;

    public async Task<RetentionResult> RunAsync(TimeProvider clock, CancellationToken ct)
    {
        var o = options.Value;
        var now = clock.GetUtcNow().UtcDateTime;
        var cutoff = now.AddDays(-o.RetentionDays);
        int anonymised = 0, mediaDeleted = 0;

        while (true)
        {
            var ids = await db.Set<CitizenReport>().Where(r => r.SubmittedAt < cutoff && r.AnonymisedAt == null)
                .OrderBy(r => r.SubmittedAt).Select(r => r.Id).Take(Batch).ToListAsync(ct);
            if (ids.Count == 0) break;
            mediaDeleted += await DeleteMediaAsync(db.Set<MediaItem>().Where(m => m.ReportId != null && ids.Contains(m.ReportId.Value)), ct);
            anonymised += await db.Set<CitizenReport>().Where(r => ids.Contains(r.Id)).ExecuteUpdateAsync(s => s
                .SetProperty(r => r.DeviceHash, (string?)null)
                .SetProperty(r => r.NetworkHash, (string?)null)
                .SetProperty(r => r.ReporterId, (string?)null)
                .SetProperty(r => r.Description, (string?)null)
                .SetProperty(r => r.Latitude, (double?)null)
                .SetProperty(r => r.Longitude, (double?)null)
                .SetProperty(r => r.AccuracyM, (double?)null)
                .SetProperty(r => r.SensorsJson, (string?)null)
                .SetProperty(r => r.MediaCount, 0)
                .SetProperty(r => r.AnonymisedAt, now), ct);
        }

        // The private centroid of a cluster whose reports are anonymised is a mean of exact points (for one report, that
        // point): keep only its resolution-9 cell centre.
        var coarsened = 0;
        var old = await db.Set<ReportCluster>().Where(c => c.UpdatedAt < cutoff).ToListAsync(ct);
        foreach (var c in old)
        {
            var (lat, lon) = GeoCells.Centre(GeoCells.Cell(c.CentroidLatitude, c.CentroidLongitude, GeoCells.FineResolution));
            if (lat == c.CentroidLatitude && lon == c.CentroidLongitude) continue;
            c.CentroidLatitude = lat;
            c.CentroidLongitude = lon;
            coarsened++;
        }
        await db.SaveChangesAsync(ct);

        var unattachedCutoff = now.AddDays(-o.UnattachedMediaDays);
        mediaDeleted += await DeleteMediaAsync(db.Set<MediaItem>().Where(m => m.ReportId == null && m.CreatedAt < unattachedCutoff), ct);

        var idempotency = await IdempotencyStore.PurgeAsync(db, now.AddDays(-o.IdempotencyRetentionDays), ct);
        var result = new RetentionResult(anonymised, mediaDeleted, coarsened, idempotency);
        logger.LogInformation("Retention: {Reports} reports anonymised, {Media} media deleted, {Clusters} clusters coarsened, {Keys} idempotency records deleted",
            result.ReportsAnonymised, result.MediaDeleted, result.ClustersCoarsened, result.IdempotencyRecordsDeleted);
        return result;
    }

    private async Task<int> DeleteMediaAsync(IQueryable<MediaItem> query, CancellationToken ct)
    {
        var items = await query.AsNoTracking().Select(m => new { m.Id, m.StoredName }).ToListAsync(ct);
        if (items.Count == 0) return 0;
        var ids = items.Select(m => m.Id).ToList();
        // Rows first: a crash between the two leaves an unreferenced file, never a row pointing at nothing.
        await db.Set<MediaItem>().Where(m => ids.Contains(m.Id)).ExecuteDeleteAsync(ct);
        foreach (var m in items) media.Delete(m.StoredName);
        return items.Count;
    }
}

/// <summary>Quartz job: runs <see cref="ReportRetention"/> once a day (Reports:RetentionCron).</summary>
[DisallowConcurrentExecution]
public sealed class ReportRetentionJob(IServiceScopeFactory scopes, TimeProvider clock, Live.JobClaims claims) : IJob
{
    public const string Name = "report-retention";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        // Several instances fire this trigger; one runs it (ADR 6).
        if (!await claims.TryClaimAsync(context, cancellationToken)) return;
        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<ReportRetention>().RunAsync(clock, cancellationToken);
    }
}

/// <summary><c>reports-retention</c>: runs the retention sweep once, now.</summary>
public sealed class ReportRetentionCommand(ReportRetention retention, TimeProvider clock)
{
    public static System.CommandLine.Command Create(CliContext cli)
    {
        var command = new System.CommandLine.Command("reports-retention",
            "Anonymise old citizen reports and delete their media now (Reports:RetentionDays; a daily job does it too).");
        command.SetAction((_, ct) => cli.RunAsync<ReportRetentionCommand>("reports-retention", c => c.RunAsync(cli, ct)));
        return command;
    }

    public async Task<int> RunAsync(CliContext cli, CancellationToken ct)
    {
        var r = await retention.RunAsync(clock, ct);
        await cli.Out.WriteLineAsync($"{r.ReportsAnonymised} reports anonymised, {r.MediaDeleted} media deleted, {r.ClustersCoarsened} clusters coarsened, {r.IdempotencyRecordsDeleted} idempotency records deleted.");
        return 0;
    }
}
