using Halo.Api.Features.Geo;
using Halo.Api.Features.Taxonomy;

namespace Halo.Api.Features.Reports;

/// <summary>What a report is scored against: an official incident or a citizen cluster.</summary>
/// <param name="OccurredAt">Event time. For police events this is the time from the title, never the publication time.</param>
/// <param name="PrecisionM">How far the true position may be from the point; only used for official incidents.</param>
public sealed record ClusterCandidate(Guid IncidentId, bool IsOfficial, string Category, DateTime OccurredAt,
    double Latitude, double Longitude, double PrecisionM);

public sealed record ScoredCandidate(ClusterCandidate Candidate, double DistanceM, double Spatial, double Temporal, double Type, double Score);

/// <summary>The report's facts that clustering looks at.</summary>
public readonly record struct ReportPoint(double Latitude, double Longitude, DateTime OccurredAt, string Category);

/// <summary>
/// score = 0.5·spatial + 0.3·temporal + 0.2·type (weights configurable). Pure functions: the property and table tests
/// drive these directly; the submission path calls <see cref="Choose"/>.
/// </summary>
public static class ClusterScoring
{
    /// <summary>
    /// Distance that counts. Against an official event located only to an area (a municipality centroid with its
    /// radius), the report is measured against that area: anywhere inside it is distance 0.
    /// </summary>
    public static double EffectiveDistanceM(ReportPoint r, ClusterCandidate c)
    {
        var d = Haversine.DistanceM(r.Latitude, r.Longitude, c.Latitude, c.Longitude);
        return c.IsOfficial ? Math.Max(0, d - c.PrecisionM) : d;
    }

    public static double Spatial(double distanceM, ReportsOptions o) =>
        Linear(distanceM, o.SpatialFullScoreM, o.CandidateRadiusM);

    public static double Temporal(TimeSpan gap, ReportsOptions o) =>
        Linear(Math.Abs(gap.TotalHours), o.TemporalFullScoreHours, o.CandidateWindowHours);

    public static double Type(string a, string b, ReportsOptions o) =>
        string.Equals(a, b, StringComparison.OrdinalIgnoreCase) ? o.SameTypeScore
        : HaloTaxonomy.AreRelated(a.ToLowerInvariant(), b.ToLowerInvariant()) ? o.RelatedTypeScore
        : o.OtherTypeScore;

    /// <summary>1 up to <paramref name="full"/>, 0 from <paramref name="zero"/>, linear between.</summary>
    private static double Linear(double x, double full, double zero)
    {
        if (x <= full) return 1;
        if (x >= zero) return 0;
        return (zero - x) / (zero - full);
    }

    /// <summary>The candidate's score, or null when it is not a candidate at all (beyond the radius or the time window).</summary>
    public static ScoredCandidate? Score(ReportPoint r, ClusterCandidate c, ReportsOptions o)
    {
        var d = EffectiveDistanceM(r, c);
        var gap = r.OccurredAt - c.OccurredAt;
        if (d > o.CandidateRadiusM || Math.Abs(gap.TotalHours) > o.CandidateWindowHours) return null;
        var s = Spatial(d, o);
        var t = Temporal(gap, o);
        var ty = Type(r.Category, c.Category, o);
        var score = o.SpatialWeight * s + o.TemporalWeight * t + o.TypeWeight * ty;
        return new ScoredCandidate(c, d, s, t, ty, Math.Round(score, 10));
    }

    public static bool Qualifies(ScoredCandidate s, ReportsOptions o) =>
        s.Score > (s.Candidate.IsOfficial ? o.OfficialThreshold : o.CitizenThreshold);

    /// <summary>
    /// The best qualifying candidate (official above its threshold, citizen cluster above its own), or null for
    /// "start a new cluster". Ties go to the official incident, then to the older (smaller v7) id, so the choice is
    /// deterministic.
    /// </summary>
    public static ScoredCandidate? Choose(ReportPoint r, IEnumerable<ClusterCandidate> candidates, ReportsOptions o) =>
        candidates.Select(c => Score(r, c, o))
            .Where(s => s is not null && Qualifies(s, o))
            .OrderByDescending(s => s!.Score)
            .ThenByDescending(s => s!.Candidate.IsOfficial)
            .ThenBy(s => s!.Candidate.IncidentId)
            .FirstOrDefault();

    /// <summary>cluster_confidence = 1 − 1/(unique_reporters + 1).</summary>
    public static double Confidence(int uniqueReporters) => Math.Round(1 - 1.0 / (Math.Max(0, uniqueReporters) + 1), 4);
}
