using Halo.Api.Data;
using Halo.Api.Features.Incidents;

namespace Halo.Api.Features.Reports;

/// <summary>
/// The stored state of a candidate cluster's two rows, read with the candidate: every column a join reads or writes
/// (ClusterState), so the join can be written from it without reading the rows again (<see cref="Attach"/>).
/// </summary>
public sealed record ClusterRow(Guid? OfficialIncidentId, int ReportCount, int UniqueReporters, bool HasMedia, bool ModeratorVerified,
    string Status, int Severity, bool IsVerified, double Latitude, double Longitude, double LocationPrecisionM, long H3Res9, long H3Res7,
    bool HasCitizenMedia, string? Summary)
{
    /// <summary>
    /// Tracks the cluster's two rows as unchanged with their stored values, so EF's own change detection writes exactly
    /// what the join changes. Columns no join touches (title, source, …) are not read; <c>ClusterStateTests</c> checks
    /// that a join writes nothing outside this record.
    /// </summary>
    public (ReportCluster, Incident) Attach(HaloDbContext db, ClusterCandidate c)
    {
        var cluster = new ReportCluster
        {
            IncidentId = c.IncidentId, OfficialIncidentId = OfficialIncidentId, ReportCount = ReportCount, UniqueReporters = UniqueReporters,
            CentroidLatitude = c.Latitude, CentroidLongitude = c.Longitude, HasMedia = HasMedia, ModeratorVerified = ModeratorVerified,
        };
        var incident = new Incident
        {
            Id = c.IncidentId, Source = IncidentSources.Citizen, RawType = c.Category, Category = c.Category, Title = "",
            Status = Status, Severity = Severity, OccurredAt = c.OccurredAt, IsVerified = IsVerified,
            Latitude = Latitude, Longitude = Longitude, LocationPrecisionM = LocationPrecisionM, H3Res9 = H3Res9, H3Res7 = H3Res7,
            HasCitizenMedia = HasCitizenMedia, Summary = Summary,
        };
        db.Attach(cluster);
        db.Attach(incident);
        return (cluster, incident);
    }
}

/// <summary>
/// A citizen cluster candidate, whether this device already reported in it (the 409 case), whether a report from this
/// device's account or network is already in it (then this one is no new witness), and its rows.
/// </summary>
public sealed record CitizenCandidate(ClusterCandidate Candidate, bool Reported, bool SameWitness, ClusterRow State);

/// <summary>The official row's two citizen columns, as stored.</summary>
public readonly record struct OfficialCounters(int Corroborations, bool HasMedia);

/// <summary>The cluster linked to an official incident (null if none yet) and, when asked, the official row's counters.</summary>
public sealed record LinkedCluster(CitizenCandidate? Cluster, OfficialCounters? Counters);

/// <summary>What the best candidate asks for before the report can be placed.</summary>
public abstract record Pick
{
    public sealed record None : Pick;

    /// <summary>An official incident: its linked cluster (and counters) must be read under its key.</summary>
    public sealed record Official(ScoredCandidate Best) : Pick;

    /// <summary>A citizen cluster; one linked to an official incident must be read again under that incident's key.</summary>
    public sealed record Citizen(ScoredCandidate Best, CitizenCandidate Cluster) : Pick
    {
        public Guid? ReadAgainUnder => Cluster.State.OfficialIncidentId;
    }
}

/// <summary>Where the report goes.</summary>
public abstract record Placement
{
    /// <summary>A new cluster; linked to <paramref name="MatchedOfficial"/> when it corroborates one.</summary>
    public sealed record New(Guid? MatchedOfficial, double? MatchScore) : Placement;

    public sealed record Join(CitizenCandidate Cluster, Guid? MatchedOfficial, double MatchScore) : Placement
    {
        /// <summary>A report from a device, account or network already in the cluster is counted, but is not another witness.</summary>
        public bool NewWitness => !Cluster.SameWitness;
    }

    /// <summary>This device already reported in the cluster: 409 naming the existing report.</summary>
    public sealed record Duplicate(Guid ClusterId) : Placement;
}

/// <summary>
/// The submission's decision, with no database: which candidate wins (<see cref="ClusterScoring.Choose"/>), and, once the
/// linked cluster that choice needs has been read, where the report goes. <c>ClusterDecisionTests</c> drive it directly.
/// </summary>
public static class ClusterDecision
{
    public static Pick Choose(ReportPoint point, IReadOnlyList<ClusterCandidate> officials, IReadOnlyList<CitizenCandidate> citizens, ReportsOptions o)
    {
        var best = ClusterScoring.Choose(point, officials.Concat(citizens.Select(c => c.Candidate)), o);
        if (best is null) return new Pick.None();
        if (best.Candidate.IsOfficial) return new Pick.Official(best);
        return new Pick.Citizen(best, citizens.First(c => c.Candidate.IncidentId == best.Candidate.IncidentId));
    }

    /// <param name="linked">
    /// Read under the official incident's key: for <see cref="Pick.Official"/> the cluster linked to it (with counters);
    /// for a <see cref="Pick.Citizen"/> linked to one, that cluster again, now current. Null otherwise.
    /// </param>
    public static Placement Place(Pick pick, LinkedCluster? linked)
    {
        CitizenCandidate? joined;
        Guid? matchedOfficial = null;
        double? score = null;
        switch (pick)
        {
            case Pick.Official o:
                joined = linked?.Cluster;
                // A moderator rejected the citizen side of this official incident: count the report, alone, elsewhere.
                if (joined?.State.Status is IncidentStatus.Rejected or IncidentStatus.Deleted) return new Placement.New(null, null);
                matchedOfficial = o.Best.Candidate.IncidentId;
                score = o.Best.Score;
                break;
            case Pick.Citizen c:
                joined = c.ReadAgainUnder is null ? c.Cluster : linked?.Cluster;
                score = c.Best.Score;
                break;
            default:
                return new Placement.New(null, null);
        }
        if (joined is null) return new Placement.New(matchedOfficial, matchedOfficial is null ? null : score);
        if (joined.Reported) return new Placement.Duplicate(joined.Candidate.IncidentId);
        return new Placement.Join(joined, matchedOfficial, score!.Value);
    }
}
