namespace Halo.Api.Features.ModelRegistry;

/// <summary>
/// One trained model (the text classifier or a risk model): what it was trained on, why it was chosen,
/// how it scored on validation, and the saved artifact. Every training run stores a row, failed ones included,
/// so the history explains what is being served. Times are UTC.
/// </summary>
public sealed class ModelVersion
{
    public Guid Id { get; set; }

    /// <summary><see cref="ModelKinds.Classifier"/> or <see cref="ModelKinds.Risk"/>.</summary>
    public required string Kind { get; set; }

    /// <summary>Human-readable, unique per kind (e.g. <c>clf-20241231T020000Z-3f2a9c1b</c>); returned by the APIs that use the model.</summary>
    public required string Version { get; set; }

    public DateTime TrainedAt { get; set; }

    /// <summary>The training data window (inclusive start, exclusive end).</summary>
    public DateTime DataFrom { get; set; }
    public DateTime DataTo { get; set; }

    /// <summary>How many labelled examples the model saw.</summary>
    public int ExampleCount { get; set; }

    /// <summary>The chosen algorithm (e.g. <c>sdca_maxent</c>).</summary>
    public string? ModelName { get; set; }

    /// <summary>Why it won over the other candidates (the validation figures that decided it).</summary>
    public string? WhyChosen { get; set; }

    /// <summary>Validation metrics as JSON (shape depends on the kind).</summary>
    public string? MetricsJson { get; set; }

    /// <summary>Serving parameters that are not inside the artifact (e.g. the calibration temperature), as JSON.</summary>
    public string? SettingsJson { get; set; }

    /// <summary>The saved ML.NET model (zip). Null when training failed.</summary>
    public byte[]? Artifact { get; set; }

    public string Status { get; set; } = ModelStatus.Training;
    public string? Error { get; set; }

    /// <summary>Records a failed training: the error (bounded), no artifact. The previous model keeps serving.</summary>
    public void MarkFailed(Exception ex)
    {
        Status = ModelStatus.Failed;
        Error = ex is OperationCanceledException ? "Cancelled." : ex.Message.Length > 4000 ? ex.Message[..4000] : ex.Message;
        Artifact = null;
    }
}

public static class ModelKinds
{
    public const string Classifier = "classifier";
    public const string Risk = "risk";
}

public static class ModelStatus
{
    public const string Training = "training";
    public const string Ready = "ready";
    public const string Failed = "failed";
}
