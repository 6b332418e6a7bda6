using System.Text.RegularExpressions;

namespace Halo.Api.Features.Ingestion.Geocoding;

/// <summary>
/// Picks likely street and place names out of a police summary ("Misshandel med kniv på Norra Bantorget." →
/// "Norra Bantorget"): first names with a Swedish street or place suffix, then capitalised names after a place
/// preposition ("i Ronna", "på Norrmalm"). Sentence-initial capitals alone are never taken.
/// </summary>
public static partial class PlaceNameExtractor
{
    public static IReadOnlyList<string> Candidates(string? text, string? municipality, int max = 3)
    {
        if (string.IsNullOrWhiteSpace(text)) return [];
        var found = new List<string>();
        void Add(string s)
        {
            s = s.Trim();
            if (s.Length < 3 || found.Contains(s, StringComparer.OrdinalIgnoreCase)) return;
            if (municipality is not null && string.Equals(s, municipality, StringComparison.OrdinalIgnoreCase)) return;
            found.Add(s);
        }
        foreach (Match m in StreetName().Matches(text)) Add(m.Groups["name"].Value);
        foreach (Match m in AfterPreposition().Matches(text)) Add(m.Groups["name"].Value);
        return found.Take(max).ToList();
    }

    private const string Word = @"[A-ZÅÄÖÉ][a-zåäöéü]+(?:-[A-ZÅÄÖa-zåäö][a-zåäöéü]+)?";

    [GeneratedRegex(@"(?<name>(?:(?:Norra|Södra|Östra|Västra|Stora|Lilla|Gamla|Nya)\s)?" +
        @"[A-ZÅÄÖÉ][a-zåäöéü-]*(?:gatan|vägen|gränd|gränden|torget|torg|platsen|plan|allén|backen|stigen|leden|stråket|parken|kajen|bron|esplanaden|centrum|stationen|station|hamnen|strand|stranden|skolan|sjukhuset|gallerian))\b",
        RegexOptions.CultureInvariant)]
    private static partial Regex StreetName();

    [GeneratedRegex(@"\b(?:i|på|vid|utanför|nära|längs|mot|från)\s(?<name>" + Word + @"(?:\s" + Word + @")?)", RegexOptions.CultureInvariant)]
    private static partial Regex AfterPreposition();
}
