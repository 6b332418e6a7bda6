using System.Text.RegularExpressions;

namespace Halo.Api.Features.Classification;

/// <summary>
/// Builds the classifier's input text. For police events that is the summary plus the type-free part of the title;
/// the type itself must never reach the features, or the model would learn to read the label back.
/// </summary>
public static partial class ClassificationText
{
    /// <summary>
    /// The part of a police title (<c>"26 september 14:21, Mord/dråp, försök, Stockholm"</c>) that is not the date/time
    /// and not the type: the location (<c>"Stockholm"</c>). Works when the title's type differs from the event's
    /// <c>type</c> field (seen in the archive: title "Detonation", type "Explosion") by keeping only the last segment.
    /// </summary>
    public static string TypeFreeTitle(string? title, string? type)
    {
        if (string.IsNullOrWhiteSpace(title)) return "";
        var rest = DateTimePrefix().Replace(title.Trim(), "");
        if (!string.IsNullOrWhiteSpace(type))
        {
            var t = type.Trim();
            var at = rest.IndexOf(t, StringComparison.OrdinalIgnoreCase);
            if (at >= 0) return rest[(at + t.Length)..].Trim(' ', ',');
        }
        // The type was not found verbatim: the location is the last comma-separated segment; drop the rest.
        var comma = rest.LastIndexOf(',');
        return comma >= 0 ? rest[(comma + 1)..].Trim() : "";
    }

    /// <summary>
    /// The text the model sees for a police event. The location is left out by default: it carries almost no
    /// signal about the category and, at serving time, citizens rarely write it (measured in bench/RESULTS-classification.md).
    /// </summary>
    public static string ForPoliceEvent(string? title, string? summary, string? type, bool includeLocation = false)
    {
        var s = (summary ?? "").Trim();
        if (!includeLocation) return s;
        var loc = TypeFreeTitle(title, type);
        return loc.Length == 0 ? s : $"{s} {loc}";
    }

    /// <summary>
    /// The text for categorising an event whose type the taxonomy does not know: the summary and the title without its
    /// date and time. The title keeps the type's own words, the best clue there is to a new type.
    /// </summary>
    public static string ForUnknownPoliceType(string? title, string? summary)
    {
        var t = string.IsNullOrWhiteSpace(title) ? "" : DateTimePrefix().Replace(title.Trim(), "");
        return $"{t} {summary?.Trim()}".Trim();
    }

    // "26 september 14:21, " or "07 september 00.38, " (minutes may be written with a dot).
    [GeneratedRegex(@"^\d{1,2}\s+\p{L}+\s+\d{1,2}[:.]\d{2}\s*,\s*")]
    private static partial Regex DateTimePrefix();
}
