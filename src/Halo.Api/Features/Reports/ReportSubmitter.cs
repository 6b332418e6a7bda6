using System.Text.Json;
using Halo.Api.Data;
using Halo.Api.Features.Geo;
using Halo.Api.Features.Incidents;
using Halo.Api.Features.Media;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Halo.Api.Features.Reports;

/// <summary>The result of one submission, before it is written to the wire (and stored for idempotent replay).</summary>
public abstract record SubmitOutcome
{
    public sealed record Accepted(SubmitReportResponse Response) : SubmitOutcome;
    public sealed record Duplicate(CitizenReport Existing) : SubmitOutcome;
    public sealed record Invalid(IDictionary<string, string[]> Errors) : SubmitOutcome;
}

/// <summary>
/// Places a report in a cluster, in three jobs: the candidate reads under the cluster lock (per provider,
/// <see cref="SubmissionReads"/>), the decision (pure, <see cref="ClusterDecision"/>), and the write (here, with the
/// cluster math of <see cref="ClusterState"/>), all in one transaction.
/// </summary>
public sealed class ReportSubmitter(HaloDbContext db, SubmissionReads reads, DeviceIdentity devices, PublicPosition publicPosition,
    IOptions<ReportsOptions> options, TimeProvider clock)
{
    /// <summary>How <see cref="CitizenReport.SensorsJson"/> is written (and read back for moderators).</summary>
    internal static readonly JsonSerializerOptions SensorJson = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <param name="beforeCommit">
    /// Called with the outcome inside the transaction, before its last write; what it adds to the DbContext (the
    /// idempotency completion) commits with the report. Called again if the decision is retried.
    /// </param>
    public Task<SubmitOutcome> SubmitAsync(ValidReport r, Action<SubmitOutcome> beforeCommit, CancellationToken ct) =>
        reads.RunAsync(db, r, options.Value, (candidates, token) => DecideAndWriteAsync(r, candidates, beforeCommit, token), ct);

    private async Task<SubmitOutcome> DecideAndWriteAsync(ValidReport r, SubmissionCandidates candidates, Action<SubmitOutcome> beforeCommit,
        CancellationToken ct)
    {
        async Task<SubmitOutcome> Finish(SubmitOutcome outcome)
        {
            beforeCommit(outcome);
            await db.SaveChangesAsync(ct);
            return outcome;
        }

        var media = new List<MediaItem>();
        if (r.MediaIds.Count > 0)
        {
            var ids = r.MediaIds.ToList();
            media = await db.Set<MediaItem>().Where(m => ids.Contains(m.Id)).ToListAsync(ct);
            var usable = media.Where(m => m.ReportId is null && m.OwnerDeviceHash == r.DeviceHash).Select(m => m.Id).ToHashSet();
            var bad = ids.Where(id => !usable.Contains(id)).ToList();
            if (bad.Count > 0)
            {
                db.ChangeTracker.Clear(); // the media rows were only read
                return await Finish(new SubmitOutcome.Invalid(new Dictionary<string, string[]>
                {
                    ["media_ids"] = [$"Unknown, already used, or uploaded by another device: {string.Join(", ", bad)}."],
                }));
            }
        }

        var pick = ClusterDecision.Choose(r.Point, candidates.Officials, candidates.Citizens, options.Value);
        // A cluster linked to an official incident is written under that incident's key (see ClusterLock): take it and
        // read the cluster (again), now current.
        var linked = pick switch
        {
            Pick.Official o => await candidates.ReadLinkedAsync(o.Best.Candidate.IncidentId, true, ct),
            Pick.Citizen { ReadAgainUnder: { } official } => await candidates.ReadLinkedAsync(official, false, ct),
            _ => null,
        };
        var placement = ClusterDecision.Place(pick, linked);

        if (placement is Placement.Duplicate duplicate)
        {
            var existing = await db.Set<CitizenReport>().AsNoTracking()
                .FirstAsync(x => x.IncidentId == duplicate.ClusterId && x.DeviceHash == r.DeviceHash, ct);
            db.ChangeTracker.Clear(); // media rows read above stay as they are
            return await Finish(new SubmitOutcome.Duplicate(existing));
        }
        return await Finish(await WriteAsync(r, placement, linked, media, ct));
    }

    /// <summary>The write: the new or joined cluster's rows, the report, the media links and the official row's counters.</summary>
    private async Task<SubmitOutcome.Accepted> WriteAsync(ValidReport r, Placement placement, LinkedCluster? linked, List<MediaItem> media,
        CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var hasMedia = media.Count > 0;
        var reportCell = GeoCells.Cell(r.Latitude, r.Longitude, GeoCells.FineResolution);
        ReportCluster cluster;
        Incident clusterIncident;
        Guid? matchedOfficial;
        double? matchScore;
        bool newWitness;
        switch (placement)
        {
            case Placement.Join join:
            {
                (matchedOfficial, matchScore, newWitness) = (join.MatchedOfficial, join.MatchScore, join.NewWitness);
                // Every writer of a cluster holds the lock that covers it (ClusterLock), and so does this one: the rows
                // read under it are current. Write the new state from them, in the same batch as the report, instead of
                // an update and a re-read. The device is new to the cluster (checked, and by the unique index).
                (cluster, clusterIncident) = join.Cluster.State.Attach(db, join.Cluster.Candidate);
                ClusterState.AddReport(cluster, clusterIncident, r.Latitude, r.Longitude, r.OccurredAt, r.Severity, newWitness, hasMedia, now);
                var clusterId = cluster.IncidentId;
                var witnessCells = await db.Set<CitizenReport>().AsNoTracking()
                    .Where(x => x.IncidentId == clusterId && x.CountsAsWitness).Select(x => x.H3Res9).ToListAsync(ct);
                if (newWitness) witnessCells.Add(reportCell);
                ClusterState.Apply(cluster, clusterIncident, publicPosition.Choose(clusterId, witnessCells), now);
                break;
            }
            case Placement.New n:
            {
                (matchedOfficial, matchScore, newWitness) = (n.MatchedOfficial, n.MatchScore, true);
                var id = Guid.CreateVersion7(clock.GetUtcNow());
                (cluster, clusterIncident) = ClusterState.Start(id, matchedOfficial, r.Latitude, r.Longitude, r.OccurredAt, r.Category, r.Severity, hasMedia, now);
                db.Incidents.Add(clusterIncident);
                db.Add(cluster);
                ClusterState.Apply(cluster, clusterIncident, publicPosition.Choose(id, [reportCell]), now);
                break;
            }
            default:
                throw new InvalidOperationException("Unknown placement.");
        }

        var report = new CitizenReport
        {
            Id = Guid.CreateVersion7(clock.GetUtcNow()),
            IncidentId = cluster.IncidentId,
            MatchedOfficialIncidentId = matchedOfficial,
            DeviceHash = r.DeviceHash,
            UserId = r.UserId?.ToString(),
            NetworkHash = r.NetworkHash,
            CountsAsWitness = newWitness,
            ReporterId = devices.ReporterId(r.DeviceHash, cluster.IncidentId),
            Category = r.Category,
            Severity = r.Severity,
            AiCategory = r.AiCategory,
            AiConfidence = r.AiConfidence,
            AiModelVersion = r.AiModelVersion,
            Latitude = r.Latitude,
            Longitude = r.Longitude,
            AccuracyM = r.AccuracyM,
            H3Res9 = reportCell,
            OccurredAt = r.OccurredAt,
            SubmittedAt = now,
            Description = r.Description,
            SensorsJson = r.Sensors is null ? null : JsonSerializer.Serialize(r.Sensors, SensorJson),
            MediaCount = media.Count,
            MatchScore = matchScore,
        };
        db.Add(report);
        foreach (var m in media) m.ReportId = report.Id;

        if (matchedOfficial is { } officialId && linked?.Counters is { } counters)
        {
            // The official row keeps its own data; it only gains the corroboration count and the media flag. Only
            // submissions holding its key write these two columns, so the values read under the key are current: track
            // the row with them as stored, and EF writes what changes.
            var official = new Incident
            {
                Id = officialId, Source = "", RawType = "", Category = "", Title = "",
                CitizenCorroborations = counters.Corroborations, HasCitizenMedia = counters.HasMedia,
            };
            db.Attach(official);
            official.CitizenCorroborations++;
            official.HasCitizenMedia |= hasMedia;
        }

        return new SubmitOutcome.Accepted(new SubmitReportResponse(
            report.Id, cluster.IncidentId, matchedOfficial, placement is Placement.New, cluster.ReportCount, cluster.UniqueReporters,
            ClusterScoring.Confidence(cluster.UniqueReporters), clusterIncident.IsVerified, clusterIncident.Status, report.ReporterId!));
    }
}
