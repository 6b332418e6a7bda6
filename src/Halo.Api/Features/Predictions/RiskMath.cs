using System.Globalization;

namespace Halo.Api.Features.Predictions;

/// <summary>
/// The arithmetic of a forecast's outputs, in one place: λ (expected events) → probability of at least one event, the
/// risk score on one scale for every resolution and its inverse (for <c>min_risk</c>), the rounding of served numbers,
/// and the display strings the apps show, so a probability is never shown beside an expected count that contradicts it.
/// </summary>
public static class RiskMath
{
    /// <summary>P(at least one event) for a Poisson count with mean λ.</summary>
    public static double ProbabilityAny(double expected) => 1 - Math.Exp(-expected);

    /// <summary>λ_ref at a view resolution: a cell <paramref name="resolution"/> holds 7^(R−r) prediction cells.</summary>
    public static double ReferenceAt(double referenceRate, int baseResolution, int resolution) =>
        referenceRate * Math.Pow(7, baseResolution - resolution);

    /// <summary>risk_score = 1 − exp(−λ / λ_ref(r)), in 0–1 and monotone in λ.</summary>
    public static double Score(double expected, double referenceRate, int baseResolution, int resolution) =>
        1 - Math.Exp(-expected / ReferenceAt(referenceRate, baseResolution, resolution));

    /// <summary>The λ whose score is <paramref name="score"/> (0 for a score ≤ 0; scores of 1 are clamped just below).</summary>
    public static double ExpectedForScore(double score, double referenceRate, int baseResolution, int resolution) =>
        score <= 0 ? 0 : -Math.Log(1 - Math.Min(score, 0.999999999)) * ReferenceAt(referenceRate, baseResolution, resolution);

    /// <summary>Four significant digits (at least four decimals), 0 for non-finite values: the served precision of counts and probabilities.</summary>
    public static double Round(double v) => v == 0 || !double.IsFinite(v) ? 0 : Math.Round(v, Math.Clamp(3 - (int)Math.Floor(Math.Log10(Math.Abs(v))), 4, 15));

    /// <summary>
    /// The expected count as shown: "&lt; 1" below one event (never "0" beside a positive probability, never rounded up to
    /// "1"), one decimal from 1 to 10 ("1.4"), whole numbers above ("12"). Invariant culture ('.' as the decimal mark).
    /// </summary>
    public static string ExpectedDisplay(double expected) =>
        !(expected >= 1) ? "< 1" : expected < 10 ? (Math.Floor(expected * 10) / 10).ToString("0.0", CultureInfo.InvariantCulture)
            : Math.Floor(expected).ToString("0", CultureInfo.InvariantCulture);

    /// <summary>
    /// P(at least one event) as shown, from the same λ: "&lt; 1 %" below 1 %, "&gt; 99 %" above 99 %, else whole percent
    /// rounded down. "&lt; 1" events goes with at most "63 %" (1 − e⁻¹), so the two never contradict each other.
    /// </summary>
    public static string ProbabilityDisplay(double expected)
    {
        var p = ProbabilityAny(expected);
        return !(p >= 0.01) ? "< 1 %" : p > 0.99 ? "> 99 %" : Math.Floor(p * 100).ToString("0", CultureInfo.InvariantCulture) + " %";
    }
}
