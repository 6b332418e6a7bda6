using System.Globalization;
using Halo.Api.Features.Taxonomy;

namespace Halo.Api.Features.Alerts;

/// <summary>The alert texts in Swedish and English (the owner's language; push payloads carry the same text).</summary>
public static class AlertTexts
{
    private static readonly CultureInfo Sv = CultureInfo.GetCultureInfo("sv-SE");
    private static readonly CultureInfo En = CultureInfo.GetCultureInfo("en-GB");

    /// <summary>"Hög risk: {area} ({pct} %)" / "High risk: {area} ({pct} %)"; the level names the first words.</summary>
    public static string Risk(string language, string level, string area, double score)
    {
        var pct = Math.Round(score * 100).ToString("0", language == "en" ? En : Sv);
        var words = (language, level) switch
        {
            ("en", "critical") => "Very high risk",
            ("en", "medium") => "Elevated risk",
            ("en", "low") => "Low risk",
            ("en", _) => "High risk",
            (_, "critical") => "Mycket hög risk",
            (_, "medium") => "Förhöjd risk",
            (_, "low") => "Låg risk",
            _ => "Hög risk",
        };
        return $"{words}: {area} ({pct} %)";
    }

    /// <summary>"{Category} {distance} bort" / "{Category} {distance} away", from a watched place: "… från {place}" / "… from {place}".</summary>
    public static string Incident(string language, string category, double distanceM, string? place)
    {
        var cat = HaloTaxonomy.ByCode.TryGetValue(category, out var c) ? (language == "en" ? c.NameEn : c.NameSv) : category;
        var text = language == "en" ? $"{cat} {Distance(distanceM, En)} away" : $"{cat} {Distance(distanceM, Sv)} bort";
        if (place is null) return text;
        return language == "en" ? $"{text} from {place}" : $"{text} från {place}";
    }

    /// <summary>Metres rounded to 10 below 1 km, else kilometres with one decimal (decimal comma in Swedish).</summary>
    public static string Distance(double metres, CultureInfo culture) =>
        metres < 1000 ? $"{Math.Max(10, Math.Round(metres / 10) * 10).ToString("0", culture)} m" : $"{(metres / 1000).ToString("0.0", culture)} km";

    public static string RiskBody(string language) =>
        language == "en" ? "The forecast for this hour is at or above your alert level here." : "Prognosen för den här timmen ligger på eller över din larmnivå här.";
}
