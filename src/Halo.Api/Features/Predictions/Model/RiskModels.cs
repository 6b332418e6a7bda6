using System.Text.Json;

namespace Halo.Api.Features.Predictions.Model;

/// <summary>
/// Expected event counts per unit for the 24 hours after an origin, and how they split over those hours.
/// <see cref="HourShape"/>[i] is the share of the day's count in hour origin+i (sums to 1).
/// </summary>
public sealed record UnitForecast(double[] Daily, double[] HourShape);

/// <summary>
/// A risk model: fitted on the history before an origin, then asked for forecasts from later origins (always through
/// a <see cref="HistoryView"/>, which shows nothing at or after its origin).
/// </summary>
public interface IRiskModel
{
    string Name { get; }
    void Fit(HistoryView history, CancellationToken ct);
    UnitForecast Predict(HistoryView history, UnitFeatures features, HourProfile profile);

    /// <summary>Serving parameters that are not in <see cref="Artifact"/> (JSON).</summary>
    string Settings { get; }

    /// <summary>The trained artifact (an ML.NET zip for the learned model; null for closed-form baselines).</summary>
    byte[]? Artifact { get; }
}

/// <summary>
/// Hour-of-week profile from the 365 days before an origin, in the data set's time zone: each of the 168 bins is
/// shrunk toward the product of the hour-of-day and day-of-week profiles (5 pseudo-events per bin), so sparse data
/// gives a smooth profile and rich data its own shape. Multipliers average 1 over the week.
/// </summary>
public sealed class HourProfile
{
    private readonly TimeZoneInfo _zone;
    public double[] Multipliers { get; }

    public HourProfile(double[] multipliers, TimeZoneInfo zone)
    {
        Multipliers = multipliers;
        _zone = zone;
    }

    public static HourProfile Uniform(TimeZoneInfo zone) => new(Enumerable.Repeat(1.0, 168).ToArray(), zone);

    public static HourProfile Fit(HistoryView h)
    {
        var zone = h.Data.Zone;
        var how = new double[168];
        var from = h.Origin.AddDays(-365).Ticks;
        var events = h.Events;
        var n = 0;
        for (var i = events.Length - 1; i >= 0 && events[i].Ticks >= from; i--)
        {
            how[Bin(new DateTime(events[i].Ticks, DateTimeKind.Utc), zone)]++;
            n++;
        }
        if (n == 0) return Uniform(zone);
        var hod = new double[24];
        var dow = new double[7];
        for (var b = 0; b < 168; b++) { hod[b % 24] += how[b]; dow[b / 24] += how[b]; }
        const double pseudo = 5 * 168;
        var m = new double[168];
        for (var b = 0; b < 168; b++)
        {
            var product = (hod[b % 24] + 1) / (n + 24) * ((dow[b / 24] + 1) / (n + 7));
            m[b] = 168 * (how[b] + pseudo * product) / (n + pseudo);
        }
        return new HourProfile(m, zone);
    }

    public static int Bin(DateTime utc, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTimeFromUtc(utc, zone);
        return (int)local.DayOfWeek * 24 + local.Hour;
    }

    public double At(DateTime utc) => Multipliers[Bin(utc, _zone)];

    /// <summary>Shares of the 24 hours after <paramref name="origin"/> (sum 1).</summary>
    public double[] Shape(DateTime origin)
    {
        var s = new double[24];
        var sum = 0.0;
        for (var i = 0; i < 24; i++) sum += s[i] = At(origin.AddHours(i));
        for (var i = 0; i < 24; i++) s[i] /= sum;
        return s;
    }

    /// <summary>Mean multiplier over the 24 hours after <paramref name="origin"/> (1 = an average day).</summary>
    public double WindowMean(DateTime origin)
    {
        var sum = 0.0;
        for (var i = 0; i < 24; i++) sum += At(origin.AddHours(i));
        return sum / 24;
    }

    public static double[] UniformShape { get; } = Enumerable.Repeat(1.0 / 24, 24).ToArray();
}

/// <summary>Baseline 1: the unit's count in the trailing 365 days, spread uniformly over days and hours.</summary>
public sealed class TrailingCountModel : IRiskModel
{
    public const string ModelName = "trailing_count_365d";
    public string Name => ModelName;
    public void Fit(HistoryView history, CancellationToken ct) { }
    public string Settings => JsonSerializer.Serialize(new { window_days = 365 });
    public byte[]? Artifact => null;

    public UnitForecast Predict(HistoryView history, UnitFeatures features, HourProfile profile)
    {
        var c = features.Columns[Array.IndexOf(UnitFeatures.Names, "own_365d")];
        return new UnitForecast(c.Select(v => v / 365.0).ToArray(), HourProfile.UniformShape);
    }
}

/// <summary>
/// Baseline 2: time-decayed spatial kernel density. Each event of the past 365 days weighs exp(-age/60 d) and is spread
/// over its cell and its 1- and 2-rings (1 : ½ : ¼ per cell); areas use their own decayed count. Uniform over hours.
/// </summary>
public sealed class KdeModel : IRiskModel
{
    public const string ModelName = "kde_decay60d_k2";
    public string Name => ModelName;
    public void Fit(HistoryView history, CancellationToken ct) { }
    public string Settings => JsonSerializer.Serialize(new { mean_life_days = UnitFeatures.KdeMeanLifeDays, ring_weights = new[] { 1, 0.5, 0.25 } });
    public byte[]? Artifact => null;

    public UnitForecast Predict(HistoryView history, UnitFeatures features, HourProfile profile)
    {
        var c = features.Columns[Array.IndexOf(UnitFeatures.Names, "kde_rate")];
        return new UnitForecast(c.Select(v => (double)v).ToArray(), HourProfile.UniformShape);
    }
}

/// <summary>Baseline 3: the KDE's daily rate times the hour-of-week profile (the day's mean multiplier, and its shape over the hours).</summary>
public sealed class HourOfWeekKdeModel : IRiskModel
{
    public const string ModelName = "hour_of_week_x_kde";
    public string Name => ModelName;
    public void Fit(HistoryView history, CancellationToken ct) { }
    public string Settings => JsonSerializer.Serialize(new { mean_life_days = UnitFeatures.KdeMeanLifeDays, profile = "hour_of_week_shrunk" });
    public byte[]? Artifact => null;

    public UnitForecast Predict(HistoryView history, UnitFeatures features, HourProfile profile)
    {
        var c = features.Columns[Array.IndexOf(UnitFeatures.Names, "kde_rate")];
        var day = profile.WindowMean(history.Origin);
        return new UnitForecast(c.Select(v => v * day).ToArray(), profile.Shape(history.Origin));
    }
}
