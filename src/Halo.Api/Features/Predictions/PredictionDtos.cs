using System.Text.Json.Serialization;

namespace Halo.Api.Features.Predictions;

// Wire DTOs of the prediction and retrain APIs (snake_case JSON). No references to entities or services:
// the Blazor client source-shares this file.

/// <summary>A risk level and the lowest risk_score that has it, with the colour maps should use.</summary>
public sealed record RiskLevelDto(string Level, double From, string Color);

/// <summary>The events the serving model was trained on and the history its forecasts start from.</summary>
public sealed record DataWindowDto(DateTime From, DateTime To, DateTime HistoryEnd, bool Stale, string? Note);

/// <summary>
/// One reason behind a forecast as data, for the app to put into words in its own language. <c>kind</c>:
/// <c>recent_nearby</c> (count events within radius_m in the last window_days, mostly category),
/// <c>year_nearby</c> (count events in the cell and its neighbours in window_days),
/// <c>rising</c> (the last 30 days nearby are ratio × the yearly average; window_days 30),
/// <c>last_nearby</c> (the last event nearby was days_ago days ago),
/// <c>area_events</c> (count coarse events in area (area_kind, area_code) in window_days, spread over it),
/// <c>hour_of_week</c> (the local day_of_week (0 = Sunday) and hour are ratio × the weekly average; the hours served carry exactly this ratio),
/// <c>background</c> (no events nearby in the past year). Fields that do not apply to a kind are absent
/// (not null: a hotspots page carries 300 of these, and most fields do not apply to a kind).
/// </summary>
public sealed record FactorDto(
    string Kind,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? Count = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? WindowDays = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? RadiusM = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Category = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Area = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? AreaKind = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? AreaCode = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? Ratio = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? DayOfWeek = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Hour = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? DaysAgo = null);

/// <summary>A municipality or county (kind <c>municipality</c>|<c>county</c>, code = SCB code).</summary>
public sealed record AreaRefDto(string Name, string Kind, string Code);

public sealed record HotspotDto(
    string H3, int Resolution, double Lat, double Lon, double[][] Boundary,
    double ExpectedCount, double ProbabilityAny, double RiskScore, string RiskLevel, double Confidence,
    IReadOnlyList<string> Factors, IReadOnlyList<FactorDto> FactorDetails, string ExpectedCountDisplay, string ProbabilityDisplay,
    string Support, int SupportResolution, AreaRefDto? SupportArea, DateTime PredictionTime);

public sealed record HotspotsResponse(
    string ModelVersion, string ModelName, DateTime ComputedAt, DateTime PredictionTime, int HoursAhead, int Resolution,
    double ReferenceRate, DataWindowDto DataWindow, IReadOnlyList<RiskLevelDto> Levels, int Count, IReadOnlyList<HotspotDto> Cells);

/// <summary>A GeoJSON FeatureCollection (RFC 7946) with the envelope as foreign members.</summary>
public sealed record HotspotFeatureCollection(
    string Type, string ModelVersion, string ModelName, DateTime ComputedAt, DateTime PredictionTime, int HoursAhead, int Resolution,
    double ReferenceRate, DataWindowDto DataWindow, IReadOnlyList<RiskLevelDto> Levels, IReadOnlyList<HotspotFeature> Features);

public sealed record HotspotFeature(string Type, string Id, PolygonGeometry Geometry, HotspotProperties Properties);

/// <summary>Coordinates are [longitude, latitude], one closed exterior ring.</summary>
public sealed record PolygonGeometry(string Type, double[][][] Coordinates);

public sealed record HotspotProperties(
    string H3, double[] Center, double RiskScore, string RiskLevel, double ExpectedCount, double ProbabilityAny,
    double Confidence, IReadOnlyList<string> Factors, IReadOnlyList<FactorDto> FactorDetails, string ExpectedCountDisplay, string ProbabilityDisplay,
    string Support, int SupportResolution, AreaRefDto? SupportArea, DateTime PredictionTime);

public sealed record CellHourDto(int HoursAhead, DateTime PredictionTime, double ExpectedCount, double ProbabilityAny, double RiskScore, string RiskLevel,
    string ExpectedCountDisplay, string ProbabilityDisplay);

public sealed record CellForecastResponse(
    string H3, int Resolution, double Lat, double Lon, double[][] Boundary, string ModelVersion, string ModelName, DateTime ComputedAt,
    double Confidence, IReadOnlyList<string> Factors, IReadOnlyList<CellHourDto> Hours, DataWindowDto DataWindow, IReadOnlyList<RiskLevelDto> Levels,
    IReadOnlyList<FactorDto> FactorDetails, string Support, int SupportResolution, AreaRefDto? SupportArea);

public sealed record ModelMetricsDto(
    string Name, IReadOnlyDictionary<string, double> HitRateAt, IReadOnlyDictionary<string, double> PaiAt, IReadOnlyDictionary<string, double> PeiAt,
    double MeanLogLikelihood);

public sealed record PredictionMetricsResponse(
    string ModelVersion, string ModelName, DateTime TrainedAt, DataWindowDto DataWindow, string? WhyChosen,
    DateTime? ValidationFrom, IReadOnlyList<ModelMetricsDto> Validation, DateTime ComputedAt, int ActiveCells, int Resolution, double ReferenceRate);

public sealed record RetrainJobDto(
    string Id, string Status, DateTime RequestedAt, DateTime? StartedAt, DateTime? FinishedAt, string? Trigger,
    string? ClassifierVersion, string? RiskModelVersion, string? ChosenModel, string? WhyChosen, IReadOnlyList<ModelMetricsDto>? Validation, string? Error);

/// <summary>One model's validation backtest at 5 % of the area (hit rate = share of events in the top 5 % of cells; PAI = hit rate / 0.05).</summary>
public sealed record ReportCardScoreDto(string Name, double HitRate5, double Pai5, double MeanLogLikelihood);

/// <summary>One rolling validation window: the served model and the best naive forecast side by side.</summary>
public sealed record ReportCardWindowDto(DateTime From, int Days, double Events, double ServedHitRate5, double ServedPai5, double NaiveHitRate5, double NaivePai5);

/// <summary>
/// The serving model's report card, read from its model-registry row: its out-of-sample backtest on the validation
/// windows (fitted on the data before them) against the best naive forecast there (by PAI@5; the served model itself
/// excluded when it is one), the training data window and when it was trained.
/// </summary>
public sealed record ReportCardResponse(
    string ModelVersion, string ModelName, bool ServedIsNaive, DateTime TrainedAt, DateTime DataFrom, DateTime DataTo,
    DateTime? ValidationFrom, DateTime? ValidationTo, double ValidationEvents, ReportCardScoreDto Served, ReportCardScoreDto? BestNaive,
    IReadOnlyList<ReportCardWindowDto> Windows, string? WhyChosen);
