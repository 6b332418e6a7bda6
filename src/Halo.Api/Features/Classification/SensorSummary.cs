using System.ComponentModel.DataAnnotations;

namespace Halo.Api.Features.Classification;

/// <summary>
/// What a phone's sensors saw around a report, summarised on the device (raw streams never leave it).
/// Shared with citizen report submission. Every field is optional; ranges are physical limits, not typical values.
/// </summary>
/// <param name="PeakG">Peak acceleration magnitude in g.</param>
/// <param name="Jerk">Peak jerk (rate of change of acceleration) in g/s.</param>
/// <param name="ImpactDetected">The device's own impact detector fired.</param>
/// <param name="AudioPeakDbfs">Loudest audio sample, dB relative to full scale (≤ 0).</param>
/// <param name="AudioMeanDbfs">Mean audio level, dBFS (≤ 0).</param>
public sealed record SensorSummary(
    [property: Range(0, 100)] double? PeakG,
    [property: Range(0, 100_000)] double? Jerk,
    bool? ImpactDetected,
    [property: Range(-160, 0)] double? AudioPeakDbfs,
    [property: Range(-160, 0)] double? AudioMeanDbfs)
{
    /// <summary>Acceleration above this is a hard hit (a fall onto concrete is ~4–8 g; ordinary handling stays under 3 g).</summary>
    public const double HardImpactG = 4.0;

    /// <summary>An audio peak at or above this (near full scale on a phone microphone) is a bang, a scream or a crash.</summary>
    public const double LoudPeakDbfs = -3.0;

    /// <summary>Field-by-field range errors, keyed by snake_case JSON path, for a ValidationProblem.</summary>
    public Dictionary<string, string[]> Validate(string prefix)
    {
        var errors = new Dictionary<string, string[]>();
        Check(errors, $"{prefix}.peak_g", PeakG, 0, 100, "g");
        Check(errors, $"{prefix}.jerk", Jerk, 0, 100_000, "g/s");
        Check(errors, $"{prefix}.audio_peak_dbfs", AudioPeakDbfs, -160, 0, "dBFS");
        Check(errors, $"{prefix}.audio_mean_dbfs", AudioMeanDbfs, -160, 0, "dBFS");
        if (AudioMeanDbfs is { } mean && AudioPeakDbfs is { } peak && mean > peak)
            errors[$"{prefix}.audio_mean_dbfs"] = ["The mean audio level cannot exceed the peak."];
        return errors;
    }

    private static void Check(Dictionary<string, string[]> errors, string key, double? v, double min, double max, string unit)
    {
        if (v is { } x && (double.IsNaN(x) || x < min || x > max))
            errors[key] = [$"Must be between {min} and {max} {unit}."];
    }
}
