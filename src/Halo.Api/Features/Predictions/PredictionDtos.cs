namespace Halo.Api.Features.Predictions;

// Wire DTOs of the prediction and retrain APIs (snake_case JSON). No references to entities or services:
// the Blazor client source-shares this file.

/// <summary>A risk level and the lowest risk_score that has it, with the colour maps should use.</summary>
public sealed record RiskLevelDto(string Level, double From, string Color);

/// <summary>The events the serving model was trained on and the history its forecasts start from.</summary>
public sealed record DataWindowDto(DateTime From, DateTime To, DateTime HistoryEnd, bool Stale, string? Note);

public sealed record HotspotDto(
    string H3, int Resolution, double Lat, double Lon, double[][] Boundary,
    double ExpectedCount, double ProbabilityAny, double RiskScore, string RiskLevel, double Confidence,
    IReadOnlyList<string> Factors, DateTime PredictionTime);

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
    double Confidence, IReadOnlyList<string> Factors, DateTime PredictionTime);

public sealed record CellHourDto(int HoursAhead, DateTime PredictionTime, double ExpectedCount, double ProbabilityAny, double RiskScore, string RiskLevel);

public sealed record CellForecastResponse(
    string H3, int Resolution, double Lat, double Lon, double[][] Boundary, string ModelVersion, string ModelName, DateTime ComputedAt,
    double Confidence, IReadOnlyList<string> Factors, IReadOnlyList<CellHourDto> Hours, DataWindowDto DataWindow, IReadOnlyList<RiskLevelDto> Levels);

public sealed record ModelMetricsDto(
    string Name, IReadOnlyDictionary<string, double> HitRateAt, IReadOnlyDictionary<string, double> PaiAt, IReadOnlyDictionary<string, double> PeiAt,
    double MeanLogLikelihood);

public sealed record PredictionMetricsResponse(
    string ModelVersion, string ModelName, DateTime TrainedAt, DataWindowDto DataWindow, string? WhyChosen,
    DateTime? ValidationFrom, IReadOnlyList<ModelMetricsDto> Validation, DateTime ComputedAt, int ActiveCells, int Resolution, double ReferenceRate);

public sealed record RetrainJobDto(
    string Id, string Status, DateTime RequestedAt, DateTime? StartedAt, DateTime? FinishedAt, string? Trigger,
    string? ClassifierVersion, string? RiskModelVersion, string? ChosenModel, string? WhyChosen, IReadOnlyList<ModelMetricsDto>? Validation, string? Error);
