namespace Halo.Api.Features.Classification;

/// <param name="Description">What happened, Swedish or English, 1–2000 characters.</param>
/// <param name="Sensors">Optional sensor summary from the device.</param>
/// <param name="Hour">Optional local hour 0–23 (accepted and validated; not used by the current model).</param>
/// <param name="Latitude">Optional WGS84 latitude, with <paramref name="Longitude"/> (not used by the current model).</param>
/// <param name="TopK">How many categories to return, 1–15 (default 3).</param>
public sealed record ClassifyRequest(string? Description, SensorSummary? Sensors, int? Hour, double? Latitude, double? Longitude, int? TopK)
{
    public const int MaxDescriptionLength = 2000;

    public Dictionary<string, string[]> Validate()
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(Description)) errors["description"] = ["A description is required."];
        else if (Description.Length > MaxDescriptionLength) errors["description"] = [$"At most {MaxDescriptionLength} characters."];
        if (Sensors is not null) foreach (var (k, v) in Sensors.Validate("sensors")) errors[k] = v;
        if (Hour is < 0 or > 23) errors["hour"] = ["Must be between 0 and 23."];
        if (Latitude is { } lat && (double.IsNaN(lat) || lat < -90 || lat > 90)) errors["latitude"] = ["Must be between -90 and 90."];
        if (Longitude is { } lon && (double.IsNaN(lon) || lon < -180 || lon > 180)) errors["longitude"] = ["Must be between -180 and 180."];
        if (Latitude.HasValue != Longitude.HasValue) errors[Latitude.HasValue ? "longitude" : "latitude"] = ["Latitude and longitude go together."];
        if (TopK is < 1 or > 15) errors["top_k"] = ["Must be between 1 and 15."];
        return errors;
    }
}

public sealed record CategoryProbability(string Category, double Probability);

/// <param name="Categories">The top-k categories, most likely first; probabilities are calibrated and sum to at most 1.</param>
/// <param name="Severity">Suggested severity 1–5 for the top category.</param>
/// <param name="ModelVersion">The registry version of the model that answered.</param>
/// <param name="NeedsReview">True when the top probability is below the configured threshold.</param>
public sealed record ClassifyResponse(IReadOnlyList<CategoryProbability> Categories, int Severity, string ModelVersion, bool NeedsReview);

/// <param name="Version">The version being trained (returned by <c>model_version</c> once it serves).</param>
/// <param name="AlreadyRunning">True when a retrain was already in progress and this is its version.</param>
public sealed record RetrainAccepted(string Version, bool AlreadyRunning);
