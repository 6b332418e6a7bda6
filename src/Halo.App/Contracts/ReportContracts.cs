// The report-submission wire contract (feat/reports' ReportDtos.cs). Replaced by a source link once that branch is on main.
namespace Halo.App.Contracts;

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
    int? Severity = null);

public sealed record AiSuggestionInput(string? Category, double? Confidence, string? ModelVersion);

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
