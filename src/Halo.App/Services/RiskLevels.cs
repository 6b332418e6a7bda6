using System.Globalization;

namespace Halo.App.Services;

/// <summary>One of the API's risk levels: its name, lower threshold on risk_score (0–1) and colour.</summary>
public sealed record RiskLevel(string Level, double Min, string Color);

/// <summary>The legend's view of the API's levels: ordered from highest to lowest, and the level of a score.</summary>
public static class RiskLevels
{
    /// <summary>Highest threshold first; levels without a usable colour are dropped (the API's colours are shown as given).</summary>
    public static IReadOnlyList<RiskLevel> Ordered(IEnumerable<RiskLevel> levels) =>
        levels.Where(l => !string.IsNullOrWhiteSpace(l.Level) && IsColour(l.Color))
              .OrderByDescending(l => l.Min).ToList();

    /// <summary>The level a score falls in: the highest whose threshold it reaches (strictly above for non-zero thresholds, as "> 0.7").</summary>
    public static RiskLevel? For(double score, IEnumerable<RiskLevel> levels)
    {
        var ordered = Ordered(levels);
        return ordered.FirstOrDefault(l => l.Min == 0 ? score >= 0 : score > l.Min) ?? ordered.LastOrDefault();
    }

    /// <summary>The range a level covers, for the legend: "&gt; 0.7", "0.4–0.7", "&lt; 0.4".</summary>
    public static string Range(RiskLevel level, IReadOnlyList<RiskLevel> ordered, CultureInfo culture)
    {
        var i = ordered.ToList().IndexOf(level);
        string F(double v) => v.ToString("0.##", culture);
        if (i == 0) return $"> {F(level.Min)}";
        var upper = ordered[i - 1].Min;
        return level.Min <= 0 ? $"< {F(upper)}" : $"{F(level.Min)}–{F(upper)}";
    }

    /// <summary>
    /// The hexagon outline of the level at <paramref name="index"/> (0 = lowest) of <paramref name="count"/>, as halo-map.js
    /// draws it (outlineFor): thicker and darker the higher the level.
    /// </summary>
    public static (double Width, string Color) Outline(int index, int count)
    {
        var top = count > 1 ? (double)index / (count - 1) : 0;
        return (Math.Round(0.4 + 2.4 * top, 1), top >= 0.5 ? "#111827" : "#ffffff");
    }

    private static bool IsColour(string c) =>
        c.Length is 4 or 7 or 9 && c[0] == '#' && c.Skip(1).All(Uri.IsHexDigit)
        || c.StartsWith("rgb", StringComparison.OrdinalIgnoreCase);
}

/// <summary>Labels for the forecast hour slider: T+h as the local clock time.</summary>
public static class HourLabels
{
    /// <summary>The local clock time <paramref name="hoursAhead"/> hours from <paramref name="now"/>, at the full hour ("14:00").</summary>
    public static string ClockTime(DateTimeOffset now, TimeZoneInfo zone, int hoursAhead, CultureInfo culture)
    {
        var local = TimeZoneInfo.ConvertTime(now, zone);
        var hour = new DateTimeOffset(local.Year, local.Month, local.Day, local.Hour, 0, 0, local.Offset).AddHours(hoursAhead);
        // Re-convert: adding hours across a DST change must land on the zone's real clock time.
        var shown = TimeZoneInfo.ConvertTime(hour, zone);
        var text = shown.ToString("HH:mm", culture);
        return shown.Date != local.Date ? $"{shown.ToString("ddd", culture)} {text}" : text;
    }
}
