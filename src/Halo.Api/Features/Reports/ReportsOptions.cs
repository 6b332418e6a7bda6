using System.ComponentModel.DataAnnotations;

namespace Halo.Api.Features.Reports;

/// <summary>Citizen reports and clustering (config section <c>Reports</c>); defaults are the original design's.</summary>
public sealed class ReportsOptions
{
    public const string Section = "Reports";

    [Range(0, 1)] public double SpatialWeight { get; set; } = 0.5;
    [Range(0, 1)] public double TemporalWeight { get; set; } = 0.3;
    [Range(0, 1)] public double TypeWeight { get; set; } = 0.2;

    /// <summary>Spatial score is 1 up to this distance (m) and falls linearly to 0 at <see cref="CandidateRadiusM"/>.</summary>
    [Range(0, 100_000)] public double SpatialFullScoreM { get; set; } = 200;
    [Range(1, 100_000)] public double CandidateRadiusM { get; set; } = 2_000;

    /// <summary>Temporal score is 1 up to this gap (h) and falls linearly to 0 at <see cref="CandidateWindowHours"/>.</summary>
    [Range(0, 720)] public double TemporalFullScoreHours { get; set; } = 1;
    [Range(0.01, 720)] public double CandidateWindowHours { get; set; } = 24;

    [Range(0, 1)] public double SameTypeScore { get; set; } = 1.0;
    [Range(0, 1)] public double RelatedTypeScore { get; set; } = 0.8;
    [Range(0, 1)] public double OtherTypeScore { get; set; } = 0.3;

    /// <summary>A report joins an official incident only above this score.</summary>
    [Range(0, 1)] public double OfficialThreshold { get; set; } = 0.7;

    /// <summary>A report joins a citizen cluster only above this score.</summary>
    [Range(0, 1)] public double CitizenThreshold { get; set; } = 0.6;

    /// <summary>The largest precision radius (m) of an official event still considered (prefilter; a county is ~100 km).</summary>
    [Range(0, 1_000_000)] public double MaxOfficialPrecisionM { get; set; } = 150_000;

    /// <summary>From <c>Incidents:MaxDescriptionLength</c> (one limit for every incident text); not a setting of its own.</summary>
    public int MaxDescriptionLength { get; internal set; } = 2_000;

    /// <summary>From <c>Incidents:FutureSkewSeconds</c>; not a setting of its own.</summary>
    public int FutureSkewSeconds { get; internal set; } = 300;

    /// <summary>Offline clients send late: how old <c>occurred_at</c> may be.</summary>
    [Range(1, 365)] public int MaxReportAgeDays { get; set; } = 30;

    [Range(1024, 1_048_576)] public int MaxBodyBytes { get; set; } = 64 * 1024;
    [Range(0, 50)] public int MaxMediaPerReport { get; set; } = 10;
    [Range(0, 1000)] public int MaxGpsTrackPoints { get; set; } = 300;

    /// <summary>Window of <c>GET /api/v1/reports/cross-source-stats</c>.</summary>
    [Range(1, 3650)] public int CrossSourceWindowDays { get; set; } = 30;

    /// <summary>Reports older than this are anonymised by the daily retention job.</summary>
    [Range(1, 3650)] public int RetentionDays { get; set; } = 90;

    /// <summary>Idempotency records are kept this long (at least the 7 days offline clients may retry for).</summary>
    [Range(7, 365)] public int IdempotencyRetentionDays { get; set; } = 8;

    /// <summary>An in-progress idempotency record older than this is taken to be from a crashed request and may be retried.</summary>
    [Range(5, 3600)] public int IdempotencyStaleSeconds { get; set; } = 120;

    /// <summary>Uploaded media never attached to a report is deleted after this many days.</summary>
    [Range(1, 365)] public int UnattachedMediaDays { get; set; } = 2;

    /// <summary>Quartz cron of the retention job (daily, UTC).</summary>
    [Required] public string RetentionCron { get; set; } = "0 15 3 * * ?";

    public bool RetentionJobEnabled { get; set; } = true;

    /// <summary>
    /// PostgreSQL: cluster decisions one API instance runs at once (0 = four times the processor count). A decision
    /// holds area locks; when far more run than there are cores, lock holders wait for CPU while others wait for their
    /// locks, and the tail grows (bench/RESULTS-reports.md has the runs).
    /// </summary>
    [Range(0, 1024)] public int MaxConcurrentDecisions { get; set; }

    /// <summary>H3 resolution citizen-derived positions are published at (8: cells of ~0.74 km², edge ~0.46 km).</summary>
    [Range(0, 9)] public int PublicResolution { get; set; } = 8;

    /// <summary>The coarser resolution used while a cluster's most supported cell has fewer than <see cref="MinWitnessesForPublicResolution"/> witnesses.</summary>
    [Range(0, 9)] public int SparsePublicResolution { get; set; } = 7;

    /// <summary>Witnesses a cell at <see cref="PublicResolution"/> needs before the cluster is published at it.</summary>
    [Range(1, 100)] public int MinWitnessesForPublicResolution { get; set; } = 2;
}
