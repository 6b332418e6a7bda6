using System.Globalization;
using System.Text.RegularExpressions;

namespace Halo.Api.Features.Ingestion.Polisen;

/// <summary>The two clocks in a police event: the publication time (<c>datetime</c>) and the event time in <c>name</c>.</summary>
public static partial class PolisenTime
{
    public static readonly TimeZoneInfo Stockholm = TimeZoneInfo.FindSystemTimeZoneById("Europe/Stockholm");

    private static readonly string[] PublishedFormats =
    [
        "yyyy-MM-dd H:mm:ss zzz",   // the feed does not zero-pad hours: "2024-07-01 6:17:27 +02:00"
        "yyyy-MM-dd HH:mm:ss zzz",
        "yyyy-MM-dd'T'H:mm:ss zzz",
        "yyyy-MM-dd'T'HH:mm:ssK",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
    ];

    private static readonly string[] Months =
        ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober", "november", "december"];

    /// <summary>Parses <c>datetime</c> (with or without a zero-padded hour) to UTC.</summary>
    public static bool TryParsePublished(string? value, out DateTime utc)
    {
        utc = default;
        if (string.IsNullOrWhiteSpace(value)) return false;
        if (!DateTimeOffset.TryParseExact(value.Trim(), PublishedFormats, CultureInfo.InvariantCulture,
                DateTimeStyles.AllowInnerWhite, out var dto)) return false;
        utc = dto.UtcDateTime;
        return true;
    }

    /// <summary>
    /// Reads the event time from a title such as "26 september 14:21, Mord/dråp, försök, Stockholm" (or "14.21").
    /// The title has no year: of the candidate years around the publication, the one giving the time closest to the
    /// publication wins, so "31 december 00.07" published on 1 January is last year's.
    /// </summary>
    public static bool TryParseEventTime(string? name, DateTime publishedUtc, out DateTime utc)
    {
        utc = default;
        if (name is null) return false;
        var m = TitleTime().Match(name);
        if (!m.Success) return false;
        var month = Array.IndexOf(Months, m.Groups["month"].Value.ToLowerInvariant()) + 1;
        var day = int.Parse(m.Groups["day"].Value, CultureInfo.InvariantCulture);
        var hour = int.Parse(m.Groups["h"].Value, CultureInfo.InvariantCulture);
        var minute = int.Parse(m.Groups["m"].Value, CultureInfo.InvariantCulture);
        if (month == 0 || hour > 23 || minute > 59) return false;

        var publishedLocal = TimeZoneInfo.ConvertTimeFromUtc(publishedUtc, Stockholm);
        DateTime? best = null;
        foreach (var year in new[] { publishedLocal.Year - 1, publishedLocal.Year, publishedLocal.Year + 1 })
        {
            if (day < 1 || day > DateTime.DaysInMonth(year, month)) continue;
            var local = new DateTime(year, month, day, hour, minute, 0, DateTimeKind.Unspecified);
            if (best is null || Math.Abs((local - publishedLocal).Ticks) < Math.Abs((best.Value - publishedLocal).Ticks)) best = local;
        }
        if (best is null) return false;
        utc = StockholmToUtc(best.Value);
        return true;
    }

    /// <summary>Stockholm wall-clock time to UTC; a time skipped by the spring DST change is read one hour later.</summary>
    public static DateTime StockholmToUtc(DateTime local)
    {
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        if (Stockholm.IsInvalidTime(local)) local = local.AddHours(1);
        return TimeZoneInfo.ConvertTimeToUtc(local, Stockholm);
    }

    [GeneratedRegex(@"^\s*(?<day>\d{1,2})\s+(?<month>\p{L}+)\s+(?<h>\d{1,2})[:.](?<m>\d{2})\b", RegexOptions.CultureInvariant)]
    private static partial Regex TitleTime();
}
