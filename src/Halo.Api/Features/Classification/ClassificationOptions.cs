using System.ComponentModel.DataAnnotations;

namespace Halo.Api.Features.Classification;

public sealed class ClassificationOptions
{
    public const string Section = "Classification";

    /// <summary>
    /// <c>needs_review</c> is true when the top probability is below this. Probabilities are calibrated, so 0.5 means
    /// "the suggestion is more likely wrong than right" (see docs/classification.md for the measured trade-off).
    /// </summary>
    [Range(0.05, 0.99)]
    public double NeedsReviewThreshold { get; set; } = 0.5;

    [Range(1, 15)]
    public int DefaultTopK { get; set; } = 3;

    /// <summary>Train the first model in the background at start when the registry has none.</summary>
    public bool TrainOnStart { get; set; } = true;

    /// <summary>Fewer labelled examples than this and training is refused (a model from a handful of events misleads).</summary>
    [Range(10, 10_000_000)]
    public int MinTrainingExamples { get; set; } = 200;

    /// <summary>How far back a (re)training reads examples.</summary>
    [Range(7, 3650)]
    public int TrainingWindowDays { get; set; } = 730;

    /// <summary>While waiting for the first-run sample to be loaded, how often to look.</summary>
    [Range(1, 3600)]
    public int StartupPollSeconds { get; set; } = 10;
}
