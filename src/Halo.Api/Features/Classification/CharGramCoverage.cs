using System.Collections.Frozen;
using System.Text;

namespace Halo.Api.Features.Classification;

/// <summary>
/// How much of a text the model has seen before: the share of its character 4-grams that occur in the training texts.
/// A maximum-entropy model answers noise with its class prior (≈ 0.5 for traffic here), which would look like a
/// confident guess; so probabilities are blended towards uniform as coverage drops. Validation texts and random letter
/// strings are far apart on this measure (docs/classification.md has the figures).
/// </summary>
public static class CharGramCoverage
{
    public const int N = 4;

    /// <summary>Below this coverage the answer is uniform; above <see cref="High"/> it is the model's own.</summary>
    public const double Low = 0.25;
    public const double High = 0.6;

    /// <summary>Lower-cased letters and digits, every other run of characters one space, padded with spaces.</summary>
    public static string Normalize(string text)
    {
        var sb = new StringBuilder(text.Length + 2).Append(' ');
        var space = true;
        foreach (var ch in text)
        {
            if (char.IsLetterOrDigit(ch)) { sb.Append(char.ToLowerInvariant(ch)); space = false; }
            else if (!space) { sb.Append(' '); space = true; }
        }
        if (!space) sb.Append(' ');
        return sb.ToString();
    }

    /// <summary>The 4-grams of the normalised text that contain a letter (digits alone say nothing about familiarity).</summary>
    public static IEnumerable<string> Grams(string text)
    {
        var t = Normalize(text);
        for (var i = 0; i + N <= t.Length; i++)
        {
            var span = t.AsSpan(i, N);
            var letter = false;
            foreach (var ch in span) if (char.IsLetter(ch)) { letter = true; break; }
            if (letter) yield return t.Substring(i, N);
        }
    }

    /// <summary>The grams that occur in at least <paramref name="minCount"/> texts (once per text).</summary>
    public static List<string> KnownGrams(IEnumerable<string> texts, int minCount)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var t in texts)
            foreach (var g in Grams(t).Distinct())
                counts[g] = counts.GetValueOrDefault(g) + 1;
        return counts.Where(kv => kv.Value >= minCount).Select(kv => kv.Key).Order(StringComparer.Ordinal).ToList();
    }

    public static double Coverage(string text, FrozenSet<string> known)
    {
        int total = 0, hit = 0;
        foreach (var g in Grams(text)) { total++; if (known.Contains(g)) hit++; }
        return total == 0 ? 0 : hit / (double)total;
    }

    /// <summary>The weight of the model's own answer: 0 at or below <see cref="Low"/>, 1 at or above <see cref="High"/>, linear between.</summary>
    public static double Weight(double coverage) => Math.Clamp((coverage - Low) / (High - Low), 0, 1);

    /// <summary>w·p + (1 − w)·uniform: the blend keeps a probability vector (sums to 1).</summary>
    public static float[] Blend(float[] p, double weight)
    {
        if (weight >= 1 || p.Length == 0) return p;
        var u = (1 - weight) / p.Length;
        var r = new float[p.Length];
        for (var i = 0; i < p.Length; i++) r[i] = (float)(weight * p[i] + u);
        return r;
    }
}
