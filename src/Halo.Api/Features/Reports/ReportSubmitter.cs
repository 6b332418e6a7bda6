using System.Text.Json;
using Halo.Api.Data;
using Halo.Api.Features.Geo;
using Halo.Api.Features.Incidents;
using Halo.Api.Features.Media;
using Halo.Api.Features.Taxonomy;
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
/// Places a report in a cluster: reads the candidates (official incidents and citizen clusters within the radius and
/// time window), picks the best qualifying one (<see cref="ClusterScoring.Choose"/>) and writes the report and the
/// cluster's counters, all under <see cref="ClusterLock"/> in one transaction.
/// </summary>
public sealed class ReportSubmitter(HaloDbContext db, ClusterLock clusterLock, DeviceIdentity devices, IOptions<ReportsOptions> options, TimeProvider clock)
{
    private static readonly JsonSerializerOptions SensorJson = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public async Task<SubmitOutcome> SubmitAsync(ValidReport r, CancellationToken ct)
    {
        var point = new ReportPoint(r.Latitude, r.Longitude, r.OccurredAt, r.Category);
        // Official incidents are read before the lock: submissions never change what makes them candidates (only their
        // counters), so reading them outside keeps the serialised section short. Citizen clusters are read under it.
        var officials = await LoadOfficialCandidatesAsync(point, options.Value, ct);
        return await clusterLock.RunAsync(db, token => DecideAndWriteAsync(r, point, officials, token), ct);
    }

    private async Task<SubmitOutcome> DecideAndWriteAsync(ValidReport r, ReportPoint point, List<ClusterCandidate> officials, CancellationToken ct)
    {
        var o = options.Value;
        var now = clock.GetUtcNow().UtcDateTime;

        var media = new List<MediaItem>();
        if (r.MediaIds.Count > 0)
        {
            var ids = r.MediaIds.ToList();
            media = await db.Set<MediaItem>().Where(m => ids.Contains(m.Id)).ToListAsync(ct);
            var usable = media.Where(m => m.ReportId is null && m.OwnerDeviceHash == r.DeviceHash).Select(m => m.Id).ToHashSet();
            var bad = ids.Where(id => !usable.Contains(id)).ToList();
            if (bad.Count > 0)
                return new SubmitOutcome.Invalid(new Dictionary<string, string[]>
                {
                    ["media_ids"] = [$"Unknown, already used, or uploaded by another device: {string.Join(", ", bad)}."],
                });
        }

        var citizen = await LoadCitizenCandidatesAsync(point, o, ct);
        var best = ClusterScoring.Choose(point, officials.Concat(citizen), o);

        ReportCluster? cluster = null;
        Incident? clusterIncident = null;
        Guid? matchedOfficial = null;
        if (best is { Candidate.IsOfficial: true })
        {
            matchedOfficial = best.Candidate.IncidentId;
            cluster = await db.Set<ReportCluster>().FirstOrDefaultAsync(c => c.OfficialIncidentId == matchedOfficial, ct);
            if (cluster is not null)
            {
                clusterIncident = await db.Incidents.FirstAsync(i => i.Id == cluster.IncidentId, ct);
                if (clusterIncident.Status is IncidentStatus.Rejected or IncidentStatus.Deleted)
                {
                    // A moderator rejected the citizen side of this official incident: count the report, alone, elsewhere.
                    cluster = null;
                    clusterIncident = null;
                    matchedOfficial = null;
                }
            }
        }
        else if (best is not null)
        {
            cluster = await db.Set<ReportCluster>().FirstAsync(c => c.IncidentId == best.Candidate.IncidentId, ct);
            clusterIncident = await db.Incidents.FirstAsync(i => i.Id == cluster.IncidentId, ct);
        }

        if (cluster is not null)
        {
            var clusterId = cluster.IncidentId;
            var existing = await db.Set<CitizenReport>().AsNoTracking()
                .FirstOrDefaultAsync(x => x.IncidentId == clusterId && x.DeviceHash == r.DeviceHash, ct);
            if (existing is not null) return new SubmitOutcome.Duplicate(existing);
        }

        var isNew = cluster is null;
        var hasMedia = media.Count > 0;
        if (cluster is null)
        {
            var id = Guid.CreateVersion7(clock.GetUtcNow());
            var cat = HaloTaxonomy.ByCode[r.Category];
            clusterIncident = new Incident
            {
                Id = id,
                Source = IncidentSources.Citizen,
                RawType = cat.Code,
                Category = cat.Code,
                Severity = cat.DefaultSeverity,
                Title = $"{cat.NameEn} (citizen reports)",
                OccurredAt = r.OccurredAt,
                PublishedAt = now,
                Status = IncidentStatus.Unverified,
                CreatedAt = now,
                UpdatedAt = now,
            };
            cluster = new ReportCluster
            {
                IncidentId = id,
                OfficialIncidentId = matchedOfficial,
                CentroidLatitude = r.Latitude,
                CentroidLongitude = r.Longitude,
                CreatedAt = now,
            };
            db.Incidents.Add(clusterIncident);
            db.Add(cluster);
        }
        else
        {
            // Running mean of the exact positions: the centroid clustering compares against.
            var n = cluster.ReportCount;
            cluster.CentroidLatitude = (cluster.CentroidLatitude * n + r.Latitude) / (n + 1);
            cluster.CentroidLongitude = (cluster.CentroidLongitude * n + r.Longitude) / (n + 1);
            if (r.OccurredAt < clusterIncident!.OccurredAt) clusterIncident.OccurredAt = r.OccurredAt;
        }

        cluster.ReportCount += 1;
        cluster.UniqueReporters += 1; // the device is new to this cluster (checked above, and by the unique index)
        cluster.HasMedia |= hasMedia;
        cluster.UpdatedAt = now;
        ClusterState.Apply(cluster, clusterIncident!, now);

        var report = new CitizenReport
        {
            Id = Guid.CreateVersion7(clock.GetUtcNow()),
            IncidentId = cluster.IncidentId,
            MatchedOfficialIncidentId = matchedOfficial,
            DeviceHash = r.DeviceHash,
            UserId = r.UserId?.ToString(),
            ReporterId = devices.ReporterId(r.DeviceHash, cluster.IncidentId),
            Category = r.Category,
            AiCategory = r.AiCategory,
            AiConfidence = r.AiConfidence,
            AiModelVersion = r.AiModelVersion,
            Latitude = r.Latitude,
            Longitude = r.Longitude,
            AccuracyM = r.AccuracyM,
            H3Res9 = GeoCells.Cell(r.Latitude, r.Longitude, GeoCells.FineResolution),
            OccurredAt = r.OccurredAt,
            SubmittedAt = now,
            Description = r.Description,
            SensorsJson = r.Sensors is null ? null : JsonSerializer.Serialize(r.Sensors, SensorJson),
            MediaCount = media.Count,
            MatchScore = best is null || isNew && matchedOfficial is null ? null : best.Score,
        };
        db.Add(report);
        foreach (var m in media) m.ReportId = report.Id;
        await db.SaveChangesAsync(ct);

        if (matchedOfficial is { } officialId)
        {
            // The official row keeps its own data; it only gains the corroboration count and the media flag.
            await db.Incidents.Where(i => i.Id == officialId).ExecuteUpdateAsync(s => s
                .SetProperty(i => i.CitizenCorroborations, i => i.CitizenCorroborations + 1)
                .SetProperty(i => i.HasCitizenMedia, i => i.HasCitizenMedia || hasMedia), ct);
        }

        return new SubmitOutcome.Accepted(new SubmitReportResponse(
            report.Id, cluster.IncidentId, matchedOfficial, isNew, cluster.ReportCount, cluster.UniqueReporters,
            ClusterScoring.Confidence(cluster.UniqueReporters), clusterIncident!.IsVerified, clusterIncident.Status, report.ReporterId!));
    }

    private async Task<List<ClusterCandidate>> LoadOfficialCandidatesAsync(ReportPoint p, ReportsOptions o, CancellationToken ct)
    {
        var windowFrom = p.OccurredAt.AddHours(-o.CandidateWindowHours);
        var windowTo = p.OccurredAt.AddHours(o.CandidateWindowHours);

        // Official events are located to an area: prefilter with the radius plus the largest area, score exactly after.
        var wide = Haversine.BoundingBox(p.Latitude, p.Longitude, o.CandidateRadiusM + o.MaxOfficialPrecisionM);
        // On SQLite, walk the time index: the planner would otherwise take the lat/lon index, and a 150 km box around a
        // city holds most of the table (measured: ~0.3 s per report at 100k rows).
        var source = db is SqliteHaloDbContext
            ? db.Incidents.FromSqlRaw($"SELECT * FROM incidents INDEXED BY {IncidentConfiguration.TimePositionIndex}")
            : db.Incidents;
        var officials = await source.AsNoTracking()
            .Where(i => i.Source != IncidentSources.Citizen && i.IsIncident
                && i.Status != IncidentStatus.Rejected && i.Status != IncidentStatus.Deleted
                && i.OccurredAt >= windowFrom && i.OccurredAt <= windowTo
                && i.Latitude >= wide.MinLat && i.Latitude <= wide.MaxLat && i.Longitude >= wide.MinLon && i.Longitude <= wide.MaxLon
                && i.LocationPrecisionM <= o.MaxOfficialPrecisionM)
            .Select(i => new ClusterCandidate(i.Id, true, i.Category, i.OccurredAt, i.Latitude, i.Longitude, i.LocationPrecisionM))
            .ToListAsync(ct);
        return officials;
    }

    private async Task<List<ClusterCandidate>> LoadCitizenCandidatesAsync(ReportPoint p, ReportsOptions o, CancellationToken ct)
    {
        var windowFrom = p.OccurredAt.AddHours(-o.CandidateWindowHours);
        var windowTo = p.OccurredAt.AddHours(o.CandidateWindowHours);
        var box = Haversine.BoundingBox(p.Latitude, p.Longitude, o.CandidateRadiusM);
        return await (
                from c in db.Set<ReportCluster>().AsNoTracking()
                join i in db.Incidents.AsNoTracking() on c.IncidentId equals i.Id
                where c.CentroidLatitude >= box.MinLat && c.CentroidLatitude <= box.MaxLat
                    && c.CentroidLongitude >= box.MinLon && c.CentroidLongitude <= box.MaxLon
                    && i.OccurredAt >= windowFrom && i.OccurredAt <= windowTo
                    && i.Status != IncidentStatus.Rejected && i.Status != IncidentStatus.Deleted
                select new ClusterCandidate(i.Id, false, i.Category, i.OccurredAt, c.CentroidLatitude, c.CentroidLongitude, 0))
            .ToListAsync(ct);
    }
}

/// <summary>A cluster's verification state and public position, recomputed after every change.</summary>
public static class ClusterState
{
    public static string VerificationOf(ReportCluster c) =>
        c.OfficialIncidentId is not null ? IncidentStatus.CrossValidated
        : c.UniqueReporters >= 2 || c.ModeratorVerified ? IncidentStatus.Corroborated
        : IncidentStatus.Unverified;

    /// <summary>
    /// Sets status, IsVerified and the public position on the cluster's incident row. A moderator's rejection (or a
    /// merge, status deleted) is final. An unverified cluster shows its resolution-9 cell centre, never the exact point.
    /// </summary>
    public static void Apply(ReportCluster c, Incident incident, DateTime now)
    {
        if (incident.Status is not (IncidentStatus.Rejected or IncidentStatus.Deleted)) incident.Status = VerificationOf(c);
        incident.IsVerified = incident.Status is IncidentStatus.Corroborated or IncidentStatus.CrossValidated;
        var (lat, lon) = incident.IsVerified
            ? (c.CentroidLatitude, c.CentroidLongitude)
            : ReportPrivacy.Coarsen(c.CentroidLatitude, c.CentroidLongitude);
        incident.Latitude = lat;
        incident.Longitude = lon;
        incident.LocationPrecisionM = incident.IsVerified ? 100 : ReportPrivacy.CoarsenedPrecisionM;
        incident.H3Res9 = GeoCells.Cell(lat, lon, GeoCells.FineResolution);
        incident.H3Res7 = GeoCells.Cell(lat, lon, GeoCells.CoarseResolution);
        incident.HasCitizenMedia = c.HasMedia;
        incident.Summary = c.ReportCount == 1 ? "1 citizen report" : $"{c.ReportCount} citizen reports";
        incident.UpdatedAt = now;
    }
}
