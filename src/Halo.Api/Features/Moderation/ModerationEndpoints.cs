using System.Text.Json;
using Halo.Api.Infrastructure.RateLimiting;
using Halo.Api.Features.Audit;
using Halo.Api.Features.Auth;
using Halo.Api.Data;
using Halo.Api.Features.Incidents;
using Halo.Api.Features.Media;
using Halo.Api.Features.Reports;
using Halo.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Halo.Api.Features.Moderation;

public sealed record ModerationRequest(string? Reason, Guid? IntoIncidentId);

public sealed record ModerationResult(Guid AuditId, Guid IncidentId, string Action, string PreviousStatus, string NewStatus,
    Guid? TargetIncidentId, int ReportsMoved, string Actor, DateTime At);

public sealed record ModerationQueue(IReadOnlyList<ClusterDto> Items, int Count);

/// <summary>Exact positions for moderators: the private centroid clustering uses, and each report's point (null once anonymised).</summary>
public sealed record ClusterPositions(Guid IncidentId, double CentroidLatitude, double CentroidLongitude, IReadOnlyList<ReportPosition> Reports);

public sealed record ReportPosition(Guid ReportId, string? ReporterId, double? Latitude, double? Longitude, double? AccuracyM, bool CountsAsWitness,
    DateTime SubmittedAt);

/// <summary>What each report of a cluster brought as evidence: its media files and its sensor summary (moderators only).</summary>
public sealed record ClusterEvidence(Guid IncidentId, IReadOnlyList<ReportEvidence> Reports);

public sealed record ReportEvidence(Guid ReportId, string? ReporterId, DateTime SubmittedAt, SensorSummary? Sensors, IReadOnlyList<EvidenceMedia> Media);

/// <param name="Url">Where a moderator downloads it (<c>GET /api/v1/media/{id}</c>).</param>
public sealed record EvidenceMedia(Guid MediaId, string Kind, string ContentType, long SizeBytes, int? Width, int? Height, string Url);

public static class ModerationEndpoints
{
    /// <summary>Names the acting moderator until the auth feature fills it from the signed-in user.</summary>

    public static IEndpointRouteBuilder MapModeration(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/moderation").WithTags("Moderation")
            .RequireAuthorization(Policies.Moderator).RequireRateLimiting(RateLimitPolicies.Reads);
        group.MapGet("/queue", Queue).WithSummary("Unverified citizen clusters, oldest first.");
        group.MapGet("/clusters/{id:guid}/positions", Positions)
            .WithSummary("The exact reported positions of a cluster's reports (moderators only; every view is audit-logged).");
        group.MapPost("/clusters/{id:guid}/verify", (Guid id, ModerationRequest? body, HttpContext http, HaloDbContext db, ClusterLock l, DeviceIdentity d, PublicPosition p, TimeProvider c, CancellationToken ct)
            => Act(ModerationActions.Verify, id, body, http, db, l, d, p, c, ct)).WithSummary("Marks a cluster verified (audited).");
        group.MapPost("/clusters/{id:guid}/reject", (Guid id, ModerationRequest? body, HttpContext http, HaloDbContext db, ClusterLock l, DeviceIdentity d, PublicPosition p, TimeProvider c, CancellationToken ct)
            => Act(ModerationActions.Reject, id, body, http, db, l, d, p, c, ct)).WithSummary("Rejects a cluster: it disappears from public lists (audited).");
        group.MapPost("/clusters/{id:guid}/merge", (Guid id, ModerationRequest? body, HttpContext http, HaloDbContext db, ClusterLock l, DeviceIdentity d, PublicPosition p, TimeProvider c, CancellationToken ct)
            => Act(ModerationActions.Merge, id, body, http, db, l, d, p, c, ct)).WithSummary("Moves a cluster's reports into into_incident_id (audited).");
        group.MapGet("/clusters/{id:guid}/evidence", Evidence)
            .WithSummary("Each report's media files and sensor summary (peak g, jerk, impact, audio levels, GPS track summary) in a cluster (moderators only).");
        group.MapGet("/audit", Audit).WithSummary("The audit log of incidents and clusters, newest first, optionally for one incident.");
        return app;
    }

    /// <summary>The signed-in moderator's user id (the group requires one).</summary>
    public static string ActorOf(HttpContext http) => http.User.UserId()?.ToString() ?? "unknown";

    private static async Task<Results<Ok<ModerationQueue>, ValidationProblem>> Queue(
        [FromQuery(Name = "limit")] string? limit, HaloDbContext db, CancellationToken ct)
    {
        var v = new Validation();
        var take = v.Int("limit", limit, 1, 200) ?? 50;
        if (!v.IsValid) return TypedResults.ValidationProblem(v.Errors);
        var rows = await (
                from i in db.Incidents.AsNoTracking()
                join c in db.Set<ReportCluster>().AsNoTracking() on i.Id equals c.IncidentId
                where i.Source == IncidentSources.Citizen && i.Status == IncidentStatus.Unverified
                orderby i.CreatedAt, i.Id
                select new { Incident = i, Cluster = c })
            .Take(take).ToListAsync(ct);
        var ids = rows.Select(r => r.Incident.Id).ToList();
        var reports = (await db.Set<CitizenReport>().AsNoTracking().Where(r => ids.Contains(r.IncidentId)).ToListAsync(ct))
            .ToLookup(r => r.IncidentId);
        var items = rows.Select(r => ClusterReader.ToDto(r.Cluster, r.Incident,
            reports[r.Incident.Id].OrderBy(x => x.SubmittedAt).ThenBy(x => x.Id).ToList())).ToList();
        return TypedResults.Ok(new ModerationQueue(items, items.Count));
    }

    private static async Task<Results<Ok<ModerationResult>, NotFound, ValidationProblem, ProblemHttpResult>> Act(
        string action, Guid id, ModerationRequest? body, HttpContext http, HaloDbContext db, ClusterLock clusterLock,
        DeviceIdentity devices, PublicPosition publicPosition, TimeProvider clock, CancellationToken ct)
    {
        var v = new Validation();
        var reason = v.Text("reason", body?.Reason, 2000, required: true);
        if (action == ModerationActions.Merge && body?.IntoIncidentId is null) v.Add("into_incident_id", "Is required for a merge.");
        if (action == ModerationActions.Merge && body?.IntoIncidentId == id) v.Add("into_incident_id", "Must be another cluster.");
        if (!v.IsValid) return TypedResults.ValidationProblem(v.Errors);
        var actor = ActorOf(http);

        // Under the cluster lock: a decision must not interleave with submissions deciding on the same clusters.
        var answer = await clusterLock.RunAsync<Results<Ok<ModerationResult>, NotFound, ValidationProblem, ProblemHttpResult>>(db, async token =>
        {
            var now = clock.GetUtcNow().UtcDateTime;
            var cluster = await db.Set<ReportCluster>().FirstOrDefaultAsync(c => c.IncidentId == id, token);
            var incident = cluster is null ? null : await db.Incidents.FirstOrDefaultAsync(i => i.Id == id && i.Source == IncidentSources.Citizen, token);
            if (cluster is null || incident is null) return TypedResults.NotFound();
            if (incident.Status == IncidentStatus.Deleted)
                return TypedResults.Problem("This cluster was merged into another one.", statusCode: StatusCodes.Status409Conflict, title: "Merged");
            var previous = incident.Status;
            Guid? target = null;
            var moved = 0;

            switch (action)
            {
                case ModerationActions.Verify:
                    cluster.ModeratorVerified = true;
                    incident.Status = IncidentStatus.Unverified; // lifts an earlier rejection; Apply sets the real state
                    ClusterState.Apply(cluster, incident, await publicPosition.ForClusterAsync(db, id, token), now);
                    break;
                case ModerationActions.Reject:
                    cluster.ModeratorVerified = false;
                    incident.Status = IncidentStatus.Rejected;
                    ClusterState.Apply(cluster, incident, await publicPosition.ForClusterAsync(db, id, token), now);
                    break;
                case ModerationActions.Merge:
                    var intoId = body!.IntoIncidentId!.Value;
                    var into = await db.Set<ReportCluster>().FirstOrDefaultAsync(c => c.IncidentId == intoId, token);
                    var intoIncident = into is null ? null : await db.Incidents.FirstOrDefaultAsync(i => i.Id == intoId, token);
                    if (into is null || intoIncident is null || intoIncident.Status is IncidentStatus.Rejected or IncidentStatus.Deleted)
                    {
                        var e = new Validation();
                        e.Add("into_incident_id", "Must be a citizen cluster that is neither rejected nor merged.");
                        return TypedResults.ValidationProblem(e.Errors);
                    }
                    if (into.OfficialIncidentId is not null && cluster.OfficialIncidentId is not null && into.OfficialIncidentId != cluster.OfficialIncidentId)
                        return TypedResults.Problem("Both clusters corroborate different official incidents.", statusCode: StatusCodes.Status409Conflict, title: "Cannot merge");
                    moved = await MergeAsync(db, devices, publicPosition, cluster, incident, into, intoIncident, now, token);
                    target = intoId;
                    break;
            }

            var audit = AuditLog.Record(db, now, actor, ModerationActions.AuditPrefix + action, "incident", id.ToString(), reason,
                details: $"{{\"reports_moved\":{moved}}}", relatedEntityId: target?.ToString(), before: previous, after: incident.Status);
            await db.SaveChangesAsync(token);
            return TypedResults.Ok(new ModerationResult(audit.Id, id, action, previous, incident.Status, target, moved, actor, now));
        }, ct);
        // Committed: the live hub publishes the new state (and a merge target's new counts).
        if (answer.Result is Ok<ModerationResult> { Value: { } done })
        {
            var live = http.RequestServices.GetRequiredService<Live.ILiveNotifications>();
            live.IncidentChanged(done.IncidentId, Live.LiveChange.Updated);
            if (done.TargetIncidentId is { } into) live.IncidentChanged(into, Live.LiveChange.Updated);
        }
        return answer;
    }

    /// <summary>
    /// Moves the source's reports into the target. A device that already reported in the target keeps its report in
    /// the source, which is marked deleted (merged): one report per device per cluster still holds.
    /// </summary>
    private static async Task<int> MergeAsync(HaloDbContext db, DeviceIdentity devices, PublicPosition publicPosition, ReportCluster source,
        Incident sourceIncident, ReportCluster target, Incident targetIncident, DateTime now, CancellationToken ct)
    {
        var targetReports = await db.Set<CitizenReport>().Where(r => r.IncidentId == target.IncidentId).ToListAsync(ct);
        var targetDevices = targetReports.Where(r => r.DeviceHash != null).Select(r => r.DeviceHash!).ToHashSet(StringComparer.Ordinal);
        var sourceReports = await db.Set<CitizenReport>().Where(r => r.IncidentId == source.IncidentId).ToListAsync(ct);
        var moving = sourceReports.Where(r => r.DeviceHash is null || !targetDevices.Contains(r.DeviceHash)).ToList();
        var staying = sourceReports.Except(moving).ToList();
        foreach (var r in moving)
        {
            r.IncidentId = target.IncidentId;
            r.ReporterId = r.DeviceHash is null ? null : devices.ReporterId(r.DeviceHash, target.IncidentId);
        }
        // The same cluster math as submission (centroid, media, times, severity), then witnesses counted again over the
        // merged set: the same network or account in both clusters is one witness.
        ClusterState.Absorb(target, targetIncident, source, sourceIncident, moving, now);
        var merged = targetReports.Concat(moving).ToList();
        PublicPosition.RecountWitnesses(target, merged);
        PublicPosition.RecountWitnesses(source, staying);
        if (target.OfficialIncidentId is null && source.OfficialIncidentId is { } official)
        {
            // One cluster per official incident (unique index): release the link before the target takes it.
            source.OfficialIncidentId = null;
            await db.SaveChangesAsync(ct);
            target.OfficialIncidentId = official;
        }
        target.UpdatedAt = source.UpdatedAt = now;
        sourceIncident.Status = IncidentStatus.Deleted;
        ClusterState.Apply(source, sourceIncident, publicPosition.ForReports(source.IncidentId, staying.Count > 0 ? staying : sourceReports), now);
        ClusterState.Apply(target, targetIncident, publicPosition.ForReports(target.IncidentId, merged), now);
        return moving.Count;
    }

    /// <summary>
    /// The one place exact reporter positions leave the server: for a moderator judging a cluster. Each view is written
    /// to the audit log (who, which cluster, how many positions) before the answer is sent.
    /// </summary>
    private static async Task<Results<Ok<ClusterPositions>, NotFound>> Positions(Guid id, HttpContext http, HaloDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var cluster = await db.Set<ReportCluster>().AsNoTracking().FirstOrDefaultAsync(c => c.IncidentId == id, ct);
        if (cluster is null) return TypedResults.NotFound();
        var reports = await db.Set<CitizenReport>().AsNoTracking().Where(r => r.IncidentId == id)
            .OrderBy(r => r.SubmittedAt).ThenBy(r => r.Id)
            .Select(r => new ReportPosition(r.Id, r.ReporterId, r.Latitude, r.Longitude, r.AccuracyM, r.CountsAsWitness, r.SubmittedAt))
            .ToListAsync(ct);
        var now = clock.GetUtcNow().UtcDateTime;
        AuditLog.Record(db, now, ActorOf(http), ModerationActions.AuditPrefix + ModerationActions.ViewPositions, "incident", id.ToString(),
            "exact positions viewed", details: $"{{\"positions\":{reports.Count(r => r.Latitude is not null)}}}");
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(new ClusterPositions(id, cluster.CentroidLatitude, cluster.CentroidLongitude, reports));
    }

    private static async Task<Results<Ok<ClusterEvidence>, NotFound>> Evidence(Guid id, HaloDbContext db, CancellationToken ct)
    {
        if (!await db.Set<ReportCluster>().AsNoTracking().AnyAsync(c => c.IncidentId == id, ct)) return TypedResults.NotFound();
        var reports = await db.Set<CitizenReport>().AsNoTracking().Where(r => r.IncidentId == id)
            .OrderBy(r => r.SubmittedAt).ThenBy(r => r.Id)
            .Select(r => new { r.Id, r.ReporterId, r.SubmittedAt, r.SensorsJson })
            .ToListAsync(ct);
        var ids = reports.Select(r => r.Id).ToList();
        var media = (await db.Set<MediaItem>().AsNoTracking().Where(m => m.ReportId != null && ids.Contains(m.ReportId.Value))
                .OrderBy(m => m.CreatedAt).ThenBy(m => m.Id).ToListAsync(ct))
            .ToLookup(m => m.ReportId!.Value);
        return TypedResults.Ok(new ClusterEvidence(id, reports.Select(r => new ReportEvidence(r.Id, r.ReporterId, r.SubmittedAt,
            r.SensorsJson is null ? null : JsonSerializer.Deserialize<SensorSummary>(r.SensorsJson, ReportSubmitter.SensorJson),
            media[r.Id].Select(m => new EvidenceMedia(m.Id, m.Kind, m.ContentType, m.SizeBytes, m.Width, m.Height, $"/api/v1/media/{m.Id}")).ToList()))
            .ToList()));
    }

    private static async Task<Results<Ok<List<AuditEntryDto>>, ValidationProblem>> Audit(
        [FromQuery(Name = "incident_id")] Guid? incidentId, [FromQuery(Name = "limit")] string? limit, HaloDbContext db, CancellationToken ct)
    {
        var v = new Validation();
        var take = v.Int("limit", limit, 1, 500) ?? 100;
        if (!v.IsValid) return TypedResults.ValidationProblem(v.Errors);
        // Moderators see the incident trail (moderation, deletions), not account or role changes.
        var q = db.Set<AuditEntry>().AsNoTracking().Where(a => a.EntityType == "incident");
        if (incidentId is { } iid)
        {
            var key = iid.ToString();
            q = q.Where(a => a.EntityId == key || a.RelatedEntityId == key);
        }
        var rows = await q.OrderByDescending(a => a.At).ThenByDescending(a => a.Id).Take(take).ToListAsync(ct);
        return TypedResults.Ok(rows.Select(a => a.ToDto()).ToList());
    }
}
