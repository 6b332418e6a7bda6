using System.Security.Cryptography;
using System.Text;
using Halo.Api.Features.Geo;
using Halo.Api.Features.Incidents;
using Halo.Api.Features.Taxonomy;
using Halo.Api.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Halo.Api.Features.Reports;

/// <summary>A cell a cluster is published as: its centre, its resolution, and the radius that covers the whole cell.</summary>
public readonly record struct PublicCell(long Cell, int Resolution, double Latitude, double Longitude, double PrecisionM);

/// <summary>
/// The one public position rule for citizen-derived data (docs/reports.md, "Public positions"). A cluster is published as
/// one H3 cell: the cell at <see cref="ReportsOptions.PublicResolution"/> holding the most witnesses, or, while fewer than
/// <see cref="ReportsOptions.MinWitnessesForPublicResolution"/> witnesses support it, the most supported cell at
/// <see cref="ReportsOptions.SparsePublicResolution"/>. Ties are broken by a keyed hash of (cluster, cell), so nobody
/// without the server key can predict or steer them. The published value is a cell centre, never a mean: adding,
/// removing or moving one report can change which cell is published, never reveal anything inside a cell.
/// </summary>
public sealed class PublicPosition(ServerSecrets secrets, IOptions<ReportsOptions> options)
{
    /// <param name="witnessCells">The resolution-9 cell of each report that counts as a witness (one per witness).</param>
    public PublicCell Choose(Guid clusterId, IReadOnlyCollection<long> witnessCells)
    {
        if (witnessCells.Count == 0) throw new ArgumentException("A cluster has at least one witness.", nameof(witnessCells));
        var o = options.Value;
        var (cell, support) = Mode(clusterId, witnessCells, o.PublicResolution);
        if (support < o.MinWitnessesForPublicResolution && o.SparsePublicResolution < o.PublicResolution)
            (cell, _) = Mode(clusterId, witnessCells, o.SparsePublicResolution);
        return Describe(cell);
    }

    /// <summary>
    /// The published cell of a stored cluster, from its witnesses' cells as they are stored now; null for a cluster with
    /// no reports left (its row keeps the cell it was published at).
    /// </summary>
    public async Task<PublicCell?> ForClusterAsync(Data.HaloDbContext db, Guid clusterId, CancellationToken ct)
    {
        var cells = await db.Set<CitizenReport>().AsNoTracking().Where(r => r.IncidentId == clusterId && r.CountsAsWitness)
            .Select(r => r.H3Res9).ToListAsync(ct);
        // A cluster whose witnesses all moved away (merged) still has reports: publish those.
        if (cells.Count == 0)
            cells = await db.Set<CitizenReport>().AsNoTracking().Where(r => r.IncidentId == clusterId).Select(r => r.H3Res9).ToListAsync(ct);
        return cells.Count == 0 ? null : Choose(clusterId, cells);
    }

    /// <summary>The published cell of a cluster with these reports: its witnesses vote, or, with none left, every report.</summary>
    public PublicCell ForReports(Guid clusterId, IReadOnlyList<CitizenReport> reports)
    {
        var witnesses = reports.Where(r => r.CountsAsWitness).Select(r => r.H3Res9).ToList();
        return Choose(clusterId, witnesses.Count > 0 ? witnesses : reports.Select(r => r.H3Res9).ToList());
    }

    /// <summary>
    /// Recomputes who counts as a witness among a cluster's reports (in submission order) and the cluster's witness count,
    /// after reports moved between clusters.
    /// </summary>
    public static void RecountWitnesses(ReportCluster cluster, IReadOnlyList<CitizenReport> reports)
    {
        var ordered = reports.OrderBy(r => r.SubmittedAt).ThenBy(r => r.Id).ToList();
        var flags = ClusterState.Witnesses(ordered.Select(r => new ClusterState.WitnessKey(r.DeviceHash, r.UserId, r.NetworkHash)).ToList());
        for (var i = 0; i < ordered.Count; i++) ordered[i].CountsAsWitness = flags[i];
        cluster.ReportCount = ordered.Count;
        cluster.UniqueReporters = flags.Count(f => f);
    }

    /// <summary>The published cell for a citizen point with no cluster behind it (one witness).</summary>
    public PublicCell ForSinglePoint(double latitude, double longitude) =>
        Describe(GeoCells.Cell(latitude, longitude, Math.Min(options.Value.SparsePublicResolution, options.Value.PublicResolution)));

    private (long Cell, int Support) Mode(Guid clusterId, IReadOnlyCollection<long> cells, int resolution)
    {
        var key = secrets.Get(DeviceIdentity.SecretName);
        return cells.GroupBy(c => Parent(c, resolution))
            .Select(g => (Cell: g.Key, Support: g.Count()))
            .OrderByDescending(x => x.Support)
            .ThenByDescending(x => TieBreak(key, clusterId, x.Cell), StringComparer.Ordinal)
            .First();
    }

    private static string TieBreak(byte[] key, Guid clusterId, long cell) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.ASCII.GetBytes($"public-cell:{clusterId:N}:{cell:x}")));

    private static long Parent(long cell, int resolution)
    {
        var index = new Halo.H3.H3Index(unchecked((ulong)cell));
        return Halo.H3.H3.GetResolution(index) <= resolution ? cell : unchecked((long)Halo.H3.H3.CellToParent(index, resolution).Value);
    }

    public static PublicCell Describe(long cell)
    {
        var index = new Halo.H3.H3Index(unchecked((ulong)cell));
        var (lat, lon) = GeoCells.Centre(cell);
        // The radius that covers the whole cell: the farthest vertex from the published centre.
        var radius = Halo.H3.H3.CellToBoundary(index).Max(v => Haversine.DistanceM(lat, lon, v.LatDegrees, v.LngDegrees));
        return new PublicCell(cell, Halo.H3.H3.GetResolution(index), lat, lon, Math.Ceiling(radius));
    }
}

/// <summary>
/// Cluster math used by submission and moderation alike: a new cluster, a report joining, a merge (centroid, counts,
/// media, times and severity), verification, who counts as an independent witness, and the published position.
/// </summary>
public static class ClusterState
{
    public static string VerificationOf(ReportCluster c) =>
        c.OfficialIncidentId is not null ? IncidentStatus.CrossValidated
        : c.UniqueReporters >= 2 || c.ModeratorVerified ? IncidentStatus.Corroborated
        : IncidentStatus.Unverified;

    /// <summary>What identifies a reporter for independence: any shared value makes two reports one witness.</summary>
    public readonly record struct WitnessKey(string? DeviceHash, string? UserId, string? NetworkHash)
    {
        public bool SameWitnessAs(WitnessKey other) =>
            Same(DeviceHash, other.DeviceHash) || Same(UserId, other.UserId) || Same(NetworkHash, other.NetworkHash);

        private static bool Same(string? a, string? b) => a is not null && b is not null && string.Equals(a, b, StringComparison.Ordinal);
    }

    /// <summary>
    /// Marks, in submission order, the reports that count as a new witness: those sharing no device, account or network
    /// with an earlier witness-or-not report of the same cluster (the rule a submission applies one report at a time).
    /// </summary>
    public static bool[] Witnesses(IReadOnlyList<WitnessKey> reportsInOrder)
    {
        var result = new bool[reportsInOrder.Count];
        for (var i = 0; i < reportsInOrder.Count; i++)
        {
            result[i] = true;
            for (var j = 0; j < i && result[i]; j++)
                if (reportsInOrder[i].SameWitnessAs(reportsInOrder[j])) result[i] = false;
        }
        return result;
    }

    /// <summary>
    /// Sets status, IsVerified and the public position on the cluster's incident row. A moderator's rejection (or a
    /// merge, status deleted) is final. The position is always the published cell, in every state; a null cell keeps
    /// the one the row already shows.
    /// </summary>
    public static void Apply(ReportCluster c, Incident incident, PublicCell? published, DateTime now)
    {
        if (incident.Status is not (IncidentStatus.Rejected or IncidentStatus.Deleted)) incident.Status = VerificationOf(c);
        incident.IsVerified = incident.Status is IncidentStatus.Corroborated or IncidentStatus.CrossValidated;
        incident.HasCitizenMedia = c.HasMedia;
        incident.Summary = c.ReportCount == 1 ? "1 citizen report" : $"{c.ReportCount} citizen reports";
        incident.UpdatedAt = now;
        if (published is not { } cell) return;
        incident.Latitude = cell.Latitude;
        incident.Longitude = cell.Longitude;
        incident.LocationPrecisionM = cell.PrecisionM;
        incident.H3Res9 = GeoCells.Cell(cell.Latitude, cell.Longitude, GeoCells.FineResolution);
        incident.H3Res7 = GeoCells.Cell(cell.Latitude, cell.Longitude, GeoCells.CoarseResolution);
    }

    /// <summary>
    /// A new cluster for its first report: the cluster's incident takes the report's time and category, and the
    /// reporter's own severity when given, else the category default. The caller adds both rows and applies the
    /// published cell (<see cref="Apply"/>).
    /// </summary>
    public static (ReportCluster, Incident) Start(Guid id, Guid? officialIncidentId, double latitude, double longitude, DateTime occurredAt,
        string category, int? severity, bool hasMedia, DateTime now)
    {
        var cat = HaloTaxonomy.ByCode[category];
        var incident = new Incident
        {
            Id = id,
            Source = IncidentSources.Citizen,
            RawType = cat.Code,
            Category = cat.Code,
            Severity = severity ?? cat.DefaultSeverity,
            Title = $"{cat.NameEn} (citizen reports)",
            OccurredAt = occurredAt,
            PublishedAt = now,
            Status = IncidentStatus.Unverified,
            CreatedAt = now,
            UpdatedAt = now,
        };
        var cluster = new ReportCluster
        {
            IncidentId = id,
            OfficialIncidentId = officialIncidentId,
            CentroidLatitude = latitude,
            CentroidLongitude = longitude,
            ReportCount = 1,
            UniqueReporters = 1,
            HasMedia = hasMedia,
            CreatedAt = now,
            UpdatedAt = now,
        };
        return (cluster, incident);
    }

    /// <summary>
    /// One report joins a cluster: the private centroid moves to the exact mean, the counts grow (the witness count only
    /// for a new witness), media is remembered, and the time and severity follow <see cref="Join"/>. The caller then
    /// applies the published cell (<see cref="Apply"/>).
    /// </summary>
    public static void AddReport(ReportCluster cluster, Incident incident, double latitude, double longitude, DateTime occurredAt,
        int? severity, bool newWitness, bool hasMedia, DateTime now)
    {
        (cluster.CentroidLatitude, cluster.CentroidLongitude) = Mean(cluster.CentroidLatitude, cluster.CentroidLongitude, cluster.ReportCount,
            latitude, longitude, 1);
        cluster.ReportCount++;
        if (newWitness) cluster.UniqueReporters++;
        cluster.HasMedia |= hasMedia;
        cluster.UpdatedAt = now;
        Join(incident, occurredAt, severity);
    }

    /// <summary>
    /// A moderator's merge: <paramref name="moving"/> (reports of the source) join the target. The same rules as
    /// submission: the centroid is the mean over the reports, media is remembered, the time moves to the earliest
    /// report, and the severity to the highest account. The source cluster is one account of its event: its incident's
    /// severity (its reporters' highest, or its category's default) counts like a joining report's. Counts and witnesses
    /// are recounted by the caller over the merged reports (<see cref="PublicPosition.RecountWitnesses"/>).
    /// </summary>
    public static void Absorb(ReportCluster target, Incident targetIncident, ReportCluster source, Incident sourceIncident,
        IReadOnlyList<CitizenReport> moving, DateTime now)
    {
        if (moving.Count == 0) return;
        (target.CentroidLatitude, target.CentroidLongitude) = Mean(target.CentroidLatitude, target.CentroidLongitude, target.ReportCount,
            source.CentroidLatitude, source.CentroidLongitude, moving.Count);
        target.HasMedia |= moving.Any(r => r.MediaCount > 0);
        foreach (var r in moving) Join(targetIncident, r.OccurredAt, r.Severity);
        Join(targetIncident, targetIncident.OccurredAt, sourceIncident.Severity);
        target.UpdatedAt = now;
    }

    /// <summary>A report joining a cluster moves its time to the earliest report and its severity to the highest given.</summary>
    public static void Join(Incident incident, DateTime occurredAt, int? severity)
    {
        if (occurredAt < incident.OccurredAt) incident.OccurredAt = occurredAt;
        if (severity is { } s && s > incident.Severity) incident.Severity = s;
    }

    /// <summary>The exact mean of the cluster's points, kept private in report_clusters for clustering only.</summary>
    public static (double Latitude, double Longitude) Mean(double latitude, double longitude, int count, double addLatitude, double addLongitude, int addCount) =>
        ((latitude * count + addLatitude * addCount) / (count + addCount), (longitude * count + addLongitude * addCount) / (count + addCount));
}
