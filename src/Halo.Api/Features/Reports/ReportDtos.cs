namespace Halo.Api.Features.Reports;

/// <summary>Body of <c>POST /api/v1/reports/submit</c> (snake_case on the wire).</summary>
public sealed record SubmitReportRequest(
    string? Category,
    AiSuggestionInput? AiSuggestion,
    double? Latitude,
    double? Longitude,
    double? AccuracyM,
    DateTime? OccurredAt,
    string? Description,
    string? DeviceId,
    List<Guid>? MediaIds,
    SensorsInput? Sensors,
    int? Severity);

public sealed record AiSuggestionInput(string? Category, double? Confidence, string? ModelVersion);

/// <summary>On-device sensor summaries. The GPS track is reduced to a summary and never stored.</summary>
public sealed record SensorsInput(AccelerometerInput? Accelerometer, AudioInput? Audio, List<GpsPointInput>? GpsTrack);

public sealed record AccelerometerInput(double? PeakG, double? Jerk, bool? ImpactDetected);

public sealed record AudioInput(double? PeakDbfs, double? MeanDbfs);

public sealed record GpsPointInput(double? Latitude, double? Longitude, DateTime? Timestamp, double? AccuracyM);

/// <summary>What is stored of the sensors: levels and the track's shape, not its positions.</summary>
public sealed record SensorSummary(
    double? PeakG, double? Jerk, bool? ImpactDetected,
    double? AudioPeakDbfs, double? AudioMeanDbfs,
    int GpsPoints, double? GpsDurationS, double? GpsDistanceM, double? GpsMaxSpeedMps);

public sealed record SubmitReportResponse(
    Guid ReportId,
    Guid IncidentId,
    Guid? MatchedOfficialIncidentId,
    bool IsNewIncident,
    int ReportCount,
    int UniqueReporters,
    double ClusterConfidence,
    bool IsVerified,
    string Verification,
    string ReporterId);

/// <summary>409 for a second report by the same device in the same cluster: names the report already there.</summary>
public sealed record DuplicateReportProblem(
    string Type,
    string Title,
    int Status,
    string Detail,
    Guid ReportId,
    Guid IncidentId,
    Guid? MatchedOfficialIncidentId,
    DateTime SubmittedAt);

public sealed record ClusterDto(
    Guid IncidentId,
    Guid? MatchedOfficialIncidentId,
    string Category,
    string Verification,
    bool IsVerified,
    int ReportCount,
    int UniqueReporters,
    double ClusterConfidence,
    double Latitude,
    double Longitude,
    double LocationPrecisionM,
    DateTime OccurredAt,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    bool HasMedia,
    IReadOnlyList<ClusterReportDto> Reports);

/// <summary>A report as the public sees it: short per-cluster reporter id, and no position (the cluster's cell is the public one).</summary>
public sealed record ClusterReportDto(
    Guid ReportId,
    string? ReporterId,
    string Category,
    string? Description,
    DateTime OccurredAt,
    DateTime SubmittedAt,
    int MediaCount,
    Guid? MatchedOfficialIncidentId,
    bool Anonymised);

public sealed record ReportStats(
    int VerifiedIncidents,
    int UnverifiedIncidents,
    double AvgReportersPerIncident,
    int MaxReportersSingleIncident,
    int TotalReports);

public sealed record CrossSourceStats(
    int TotalIncidents,
    int OfficialOnly,
    int UserOnly,
    int CrossValidated,
    double ValidationRatePercent,
    int WindowDays,
    DateTime From,
    DateTime To,
    string Description);
