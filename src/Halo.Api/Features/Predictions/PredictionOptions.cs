using System.ComponentModel.DataAnnotations;

namespace Halo.Api.Features.Predictions;

public sealed class PredictionOptions
{
    public const string Section = "Predictions";

    /// <summary>H3 resolution of the prediction cells; coarser views (down to 5) aggregate to parents.</summary>
    [Range(5, 10)]
    public int Resolution { get; set; } = 8;

    /// <summary>An incident whose position is vaguer than this (metres) and whose area is known is spread over its area's cells.</summary>
    [Range(100, 1_000_000)]
    public double CoarseAboveM { get; set; } = 2000;

    /// <summary>Days of history a training run reads (features look back 365 days from the oldest training origin).</summary>
    [Range(60, 3650)]
    public int TrainingWindowDays { get; set; } = 730;

    /// <summary>Days after the training data on which the candidates are compared.</summary>
    [Range(7, 120)]
    public int ValidationDays { get; set; } = 28;

    /// <summary>Daily origins the learned model takes examples from.</summary>
    [Range(7, 730)]
    public int TrainingOrigins { get; set; } = 365;

    /// <summary>Cap on the learned model's training examples (zero-count examples are sampled down to it, weighted).</summary>
    [Range(1000, 5_000_000)]
    public int MaxTrainingRows { get; set; } = 150_000;

    /// <summary>Fewer events than this in the training window and training is refused.</summary>
    [Range(10, 10_000_000)]
    public int MinTrainingEvents { get; set; } = 200;

    /// <summary>Time zone of the hour-of-week profile (Swedish events follow Swedish clocks).</summary>
    [Required]
    public string ProfileTimeZone { get; set; } = "Europe/Stockholm";

    /// <summary>
    /// Reference rate λ_ref of <c>risk_score = 1 − exp(−expected_count / λ_ref)</c>, in events per cell-hour at
    /// <see cref="Resolution"/>. 0 = per model version: the event-weighted 95th percentile of the cell-hour rates served right after training.
    /// </summary>
    [Range(0, 1000)]
    public double ReferenceRate { get; set; }

    /// <summary>Lower bounds of the medium, high and critical levels of risk_score.</summary>
    [Range(0.01, 0.99)] public double MediumFrom { get; set; } = 0.4;
    [Range(0.01, 0.99)] public double HighFrom { get; set; } = 0.6;
    [Range(0.01, 0.99)] public double CriticalFrom { get; set; } = 0.8;

    /// <summary>Train the first model in the background at start when the registry has none (after the sample loads).</summary>
    public bool TrainOnStart { get; set; } = true;

    [Range(1, 3600)]
    public int StartupPollSeconds { get; set; } = 10;

    [Range(1, 1000)]
    public int MaxHotspots { get; set; } = 1000;

    [Range(1, 1000)]
    public int DefaultHotspots { get; set; } = 100;

    [Range(0.1, 2000)]
    public double MaxRadiusKm { get; set; } = 200;

    public TimeZoneInfo TimeZone() => TimeZoneInfo.FindSystemTimeZoneById(ProfileTimeZone);
}
