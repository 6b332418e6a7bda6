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

    /// <summary>Fewer events than this in the past 365 days and the profile uses all the history.</summary>
    public const int MinProfileEvents = 1000;

    /// <summary>How far the profile's busiest and quietest hours of the week are apart (1 = flat).</summary>
    public double Spread => Multipliers.Max() / Math.Max(1e-12, Multipliers.Min());

    public static HourProfile Uniform(TimeZoneInfo zone) => new(Enumerable.Repeat(1.0, 168).ToArray(), zone);

    public static HourProfile Fit(HistoryView h)
    {
        var zone = h.Data.Zone;
        var how = new double[168];
        var events = h.Events;
        // The past 365 days; all the history when they hold too few events to show a weekly shape (a new install
        // with a few days of live events and an older sample).
        var from = h.Origin.AddDays(-365).Ticks;
        var recent = events.Length - HistoryView.LowerBound(h.Data.EventTicks, from);
        if (recent < MinProfileEvents) from = long.MinValue;
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

/// <summary>
/// Baseline: the unit's count in the trailing <see cref="WindowDays"/> days (null = all history) per day covered, split over
/// the hours by the hour-of-week profile (every model forecasts the hour; the trailing count only decides where).
/// </summary>
public sealed class TrailingCountModel(int? windowDays = 365) : IRiskModel
{
    public const string ModelName = "trailing_count_365d";
    public const string Name730 = "trailing_count_730d";
    public const string NameAll = "trailing_count_all";
    public int? WindowDays { get; } = windowDays;
    public string Name => WindowDays switch { null => NameAll, 365 => ModelName, var d => $"trailing_count_{d}d" };
    public void Fit(HistoryView history, CancellationToken ct) { }
    public string Settings => JsonSerializer.Serialize(new { window_days = WindowDays, hours = "hour_of_week_profile" });
    public byte[]? Artifact => null;

    public UnitForecast Predict(HistoryView history, UnitFeatures features, HourProfile profile)
    {
        var d = history.Data;
        var nf = d.FineCells.Length;
        var o = history.Origin.Ticks;
        var first = history.EventCount > 0 ? history.Events[0].Ticks : o;
        var from = WindowDays is { } w ? Math.Max(0, o - w * TimeSpan.TicksPerDay) : 0;
        // Per day actually covered: a window longer than the history would otherwise understate every rate.
        var days = Math.Max(1, (o - Math.Max(from, first)) / (double)TimeSpan.TicksPerDay);
        var daily = new double[d.UnitCount];
        for (var u = 0; u < daily.Length; u++)
            daily[u] = (u < nf ? history.CountFine(u, from, o) : history.CountArea(u - nf, from, o)) / days;
        return new UnitForecast(daily, profile.Shape(history.Origin));
    }
}

/// <summary>
/// Baseline: time-decayed spatial kernel density. Each event of the past 365 days weighs exp(-age/60 d) and is spread
/// over its cell and its 1- and 2-rings (1 : ½ : ¼ per cell); areas use their own decayed count. Hours by the profile.
/// </summary>
public sealed class KdeModel : IRiskModel
{
    public const string ModelName = "kde_decay60d_k2";
    public string Name => ModelName;
    public void Fit(HistoryView history, CancellationToken ct) { }
    public string Settings => JsonSerializer.Serialize(new { mean_life_days = UnitFeatures.KdeMeanLifeDays, ring_weights = new[] { 1, 0.5, 0.25 }, hours = "hour_of_week_profile" });
    public byte[]? Artifact => null;

    public UnitForecast Predict(HistoryView history, UnitFeatures features, HourProfile profile)
    {
        var c = features.Columns[Array.IndexOf(UnitFeatures.Names, "kde_rate")];
        return new UnitForecast(c.Select(v => (double)v).ToArray(), profile.Shape(history.Origin));
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

/// <summary>
/// Baseline: the best of a small grid of KDEs — mean life <see cref="Decays"/> (days, events up to 730 days old) ×
/// bandwidth <see cref="Bandwidths"/> (cell only; cell + ½ on the 1-ring; cell + ½ on the 1-ring + ¼ on the 2-ring) —
/// chosen in <see cref="Fit"/> on the <see cref="InnerValidationDays"/> daily origins just before the fit origin (Poisson
/// log-likelihood of each unit's next-24-hour count), so the choice only ever sees the past. Hours by the profile.
/// </summary>
public sealed class KdeGridModel : IRiskModel
{
    public const string ModelName = "kde_best";
    public static readonly double[] Decays = [14, 60, 180, 730];
    public static readonly double[][] Bandwidths = [[1, 0, 0], [1, 0.5, 0], [1, 0.5, 0.25]];
    public const int LookbackDays = 730;
    public int InnerValidationDays { get; init; } = 56;

    public double Decay { get; private set; } = 60;
    public int Bandwidth { get; private set; } = 2;

    /// <summary>The inner-validation log-likelihood of every grid point ("decay/bandwidth" → per unit-day), for the registry.</summary>
    public Dictionary<string, double> GridScores { get; private set; } = [];

    public string Name => ModelName;
    public byte[]? Artifact => null;

    public string Settings => JsonSerializer.Serialize(new
    {
        mean_life_days = Decay, bandwidth = Bandwidth, ring_weights = Bandwidths[Bandwidth], lookback_days = LookbackDays,
        inner_validation_days = InnerValidationDays, grid_log_likelihood = GridScores, hours = "hour_of_week_profile",
    });

    public static KdeGridModel Restore(double decay, int bandwidth) => new() { Decay = decay, Bandwidth = bandwidth };

    public void Fit(HistoryView history, CancellationToken ct)
    {
        var d = history.Data;
        var ll = new double[Decays.Length, Bandwidths.Length];
        var first = history.EventCount > 0 ? history.Events[0].Ticks : history.Origin.Ticks;
        var used = 0;
        double total = 0, unitDays = 0;
        for (var k = 1; k <= InnerValidationDays; k++)
        {
            ct.ThrowIfCancellationRequested();
            var t = history.Origin.AddDays(-k);
            if (t.Ticks - first < 14 * TimeSpan.TicksPerDay) break;
            var view = history.At(t);
            var rates = Rates(view, Decays);
            long from = t.Ticks, to = t.AddDays(1).Ticks;
            var y = new int[d.UnitCount];
            for (var u = 0; u < y.Length; u++)
            {
                y[u] = u < d.FineCells.Length ? history.CountFine(u, from, to) : history.CountArea(u - d.FineCells.Length, from, to);
                total += y[u];
            }
            unitDays += y.Length;
            for (var i = 0; i < Decays.Length; i++)
                for (var b = 0; b < Bandwidths.Length; b++)
                {
                    var lambda = Spread(d, rates[i], Bandwidths[b]);
                    var s = 0.0;
                    for (var u = 0; u < y.Length; u++)
                    {
                        var l = lambda[u] + 1e-6;
                        s += y[u] * Math.Log(l) - l;
                    }
                    ll[i, b] += s;
                }
            used++;
        }
        GridScores = [];
        if (used == 0 || total == 0) return; // Too little history to choose: keep the default 60 d, 2-ring.
        var best = double.NegativeInfinity;
        for (var i = 0; i < Decays.Length; i++)
            for (var b = 0; b < Bandwidths.Length; b++)
            {
                GridScores[string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Decays[i]:0}d/k{b}")] = ll[i, b] / unitDays;
                if (ll[i, b] > best) { best = ll[i, b]; Decay = Decays[i]; Bandwidth = b; }
            }
    }

    public UnitForecast Predict(HistoryView history, UnitFeatures features, HourProfile profile)
    {
        var rates = Rates(history, [Decay]);
        return new UnitForecast(Spread(history.Data, rates[0], Bandwidths[Bandwidth]), profile.Shape(history.Origin));
    }

    /// <summary>Per unit and mean life: Σ exp(−age/τ) over events of the look-back, normalised to events per day.</summary>
    private static double[][] Rates(HistoryView h, double[] decays)
    {
        var d = h.Data;
        var nf = d.FineCells.Length;
        var o = h.Origin.Ticks;
        var from = o - LookbackDays * TimeSpan.TicksPerDay;
        var first = h.EventCount > 0 ? h.Events[0].Ticks : o;
        var span = Math.Max(1, (o - Math.Max(from, first)) / (double)TimeSpan.TicksPerDay);
        var result = new double[decays.Length][];
        var norm = new double[decays.Length];
        for (var i = 0; i < decays.Length; i++)
        {
            result[i] = new double[d.UnitCount];
            norm[i] = decays[i] * (1 - Math.Exp(-span / decays[i]));
        }
        for (var u = 0; u < d.UnitCount; u++)
        {
            var times = u < nf ? h.FineTimes(u, from) : h.AreaTimes(u - nf, from);
            for (var j = 0; j < times.Length; j++)
            {
                var age = (o - times[j]) / (double)TimeSpan.TicksPerDay;
                for (var i = 0; i < decays.Length; i++) result[i][u] += Math.Exp(-age / decays[i]);
            }
            for (var i = 0; i < decays.Length; i++) result[i][u] /= norm[i];
        }
        return result;
    }

    /// <summary>Spreads fine units' rates over their rings (weights per cell, normalised); areas keep their own.</summary>
    private static double[] Spread(RiskDataset d, double[] rate, double[] w)
    {
        var nf = d.FineCells.Length;
        var lambda = new double[rate.Length];
        var norm = w[0] + 6 * w[1] + 12 * w[2];
        for (var u = 0; u < nf; u++)
        {
            var v = w[0] * rate[u];
            if (w[1] > 0) foreach (var j in d.Ring1[u]) v += w[1] * rate[j];
            if (w[2] > 0) foreach (var j in d.Ring2[u]) v += w[2] * rate[j];
            lambda[u] = v / norm;
        }
        for (var u = nf; u < rate.Length; u++) lambda[u] = rate[u];
        return lambda;
    }
}
