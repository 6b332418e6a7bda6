namespace Halo.Api.Features.Predictions.Model;

/// <summary>
/// The features of every unit at one origin, as columns (<see cref="Names"/> order). Fine units first, then area units.
/// Counts look back from the origin; rings are the H3 k-rings of a fine cell, and for an area the rest of its county
/// (ring 1) and the rest of Sweden (ring 2). The self-exciting terms are ETAS-style sums of exp(-age/τ) over recent
/// events in the cell (weight 1) and its 1-ring (weight ½), so a burst of nearby recent events raises the forecast.
/// </summary>
public sealed class UnitFeatures
{
    public static readonly string[] Names =
    [
        "unit_kind", "log_cells", "own_1d", "own_7d", "own_30d", "own_90d", "own_365d",
        "ring1_7d", "ring1_30d", "ring1_365d", "ring2_30d", "ring2_365d",
        "self_exciting_2d", "self_exciting_7d", "days_since_own", "days_since_ring1",
        "trend_30_vs_365", "top_category_share", "window_profile", "day_of_week", "origin_hour", "kde_rate",
        "ring1_2d", "history_days", "own_730d", "ring1_730d", "own_all_rate",
    ];

    public const int KindFine = 0, KindMunicipality = 1, KindCounty = 2;
    public const double KdeMeanLifeDays = 60;
    private const double DayTicks = TimeSpan.TicksPerDay;

    public int Units { get; }
    public float[][] Columns { get; }
    public float this[string name, int unit] => Columns[Array.IndexOf(Names, name)][unit];

    private UnitFeatures(int units)
    {
        Units = units;
        Columns = Names.Select(_ => new float[units]).ToArray();
    }

    public float[] Row(int unit)
    {
        var row = new float[Names.Length];
        for (var f = 0; f < row.Length; f++) row[f] = Columns[f][unit];
        return row;
    }

    /// <summary>Computes every unit's features as seen from the view's origin; <paramref name="profile"/> gives the window's hour-of-week weight.</summary>
    public static UnitFeatures Compute(HistoryView h, HourProfile profile)
    {
        var d = h.Data;
        var nf = d.FineCells.Length;
        var na = d.AreaCount;
        var x = new UnitFeatures(nf + na);
        var o = h.Origin.Ticks;
        long Ago(double days) => o - (long)(days * DayTicks);
        var local = TimeZoneInfo.ConvertTimeFromUtc(h.Origin, d.Zone);
        var windowProfile = (float)profile.WindowMean(h.Origin);

        float[] C(string n) => x.Columns[Array.IndexOf(Names, n)];
        var (kind, logCells, c1, c7, c30, c90, c365) = (C("unit_kind"), C("log_cells"), C("own_1d"), C("own_7d"), C("own_30d"), C("own_90d"), C("own_365d"));
        var (r1_7, r1_30, r1_365, r2_30, r2_365) = (C("ring1_7d"), C("ring1_30d"), C("ring1_365d"), C("ring2_30d"), C("ring2_365d"));
        var (se2, se7, since, sinceRing, trend, top) = (C("self_exciting_2d"), C("self_exciting_7d"), C("days_since_own"), C("days_since_ring1"), C("trend_30_vs_365"), C("top_category_share"));
        var (wp, dow, hour, kde, r1_2) = (C("window_profile"), C("day_of_week"), C("origin_hour"), C("kde_rate"), C("ring1_2d"));
        var c2 = new float[nf + na];
        var topOwn = new float[nf + na];
        var ownSe2 = new double[nf + na];
        var ownSe7 = new double[nf + na];
        var decayed = new double[nf + na];
        var last = new long[nf + na];
        var kdeNorm = KdeMeanLifeDays * (1 - Math.Exp(-365 / KdeMeanLifeDays));
        var (c730, r1_730, allRate) = (C("own_730d"), C("ring1_730d"), C("own_all_rate"));
        // Long windows: 730 days and all history (per day of history, so a young data set is not read as a quiet one).
        var allDays = Math.Max(1, (o - h.FirstTicks) / DayTicks);

        for (var u = 0; u < nf + na; u++)
        {
            var times = u < nf ? h.FineTimes(u, Ago(730)) : h.AreaTimes(u - nf, Ago(730));
            int n1 = 0, n2 = 0, n7 = 0, n30 = 0, n90 = 0, n365 = 0;
            double s2 = 0, s7 = 0, dec = 0;
            for (var i = times.Length - 1; i >= 0; i--)
            {
                var age = (o - times[i]) / DayTicks;
                if (age >= 365) break;
                n365++;
                if (age < 1) n1++;
                if (age < 2) n2++;
                if (age < 7) n7++;
                if (age < 30) n30++;
                if (age < 90) n90++;
                if (age < 14) s2 += Math.Exp(-age / 2);
                if (age < 30) s7 += Math.Exp(-age / 7);
                dec += Math.Exp(-age / KdeMeanLifeDays);
            }
            (c1[u], c2[u], c7[u], c30[u], c90[u], c365[u]) = (n1, n2, n7, n30, n90, n365);
            c730[u] = times.Length;
            var all = u < nf ? h.CountFine(u, 0, o) : h.CountArea(u - nf, 0, o);
            allRate[u] = (float)(all / allDays);
            (ownSe2[u], ownSe7[u], decayed[u]) = (s2, s7, dec / kdeNorm);
            last[u] = times.Length > 0 ? times[^1] : long.MinValue;
            topOwn[u] = u < nf ? h.CountFineTop(u, Ago(365)) : h.CountAreaTop(u - nf, Ago(365));
        }

        for (var u = 0; u < nf; u++)
        {
            kind[u] = KindFine;
            logCells[u] = 0;
            double a7 = 0, a30 = 0, a365 = 0, b30 = 0, b365 = 0, s2 = 0, s7 = 0, k1 = 0, k2 = 0, t365 = 0, a2 = 0;
            var lastRing = last[u];
            foreach (var j in d.Ring1[u])
            {
                r1_730[u] += c730[j];
                a2 += c2[j]; a7 += c7[j]; a30 += c30[j]; a365 += c365[j]; s2 += ownSe2[j]; s7 += ownSe7[j]; k1 += decayed[j]; t365 += topOwn[j];
                lastRing = Math.Max(lastRing, last[j]);
            }
            foreach (var j in d.Ring2[u]) { b30 += c30[j]; b365 += c365[j]; k2 += decayed[j]; }
            (r1_2[u], r1_7[u], r1_30[u], r1_365[u], r2_30[u], r2_365[u]) = ((float)a2, (float)a7, (float)a30, (float)a365, (float)b30, (float)b365);
            se2[u] = (float)(ownSe2[u] + 0.5 * s2);
            se7[u] = (float)(ownSe7[u] + 0.5 * s7);
            // The KDE spreads each event over its cell (1), 1-ring (½ each) and 2-ring (¼ each): 1 + 3 + 3 = 7.
            kde[u] = (float)((decayed[u] + 0.5 * k1 + 0.25 * k2) / 7);
            since[u] = Since(o, last[u]);
            sinceRing[u] = Since(o, lastRing);
            trend[u] = (float)((c30[u] + a30 + 0.5) / ((c365[u] + a365) / 12.17 + 0.5));
            top[u] = (float)((topOwn[u] + t365 + 0.5) / (c365[u] + a365 + 1));
        }

        if (na > 0)
        {
            var areas = d.Areas!;
            // County and national totals over all area units (municipality + county events).
            var county2 = new Dictionary<int, double>(); var county7 = new Dictionary<int, double>(); var county30 = new Dictionary<int, double>();
            var county365 = new Dictionary<int, double>(); var county730 = new Dictionary<int, double>(); var countySe2 = new Dictionary<int, double>(); var countySe7 = new Dictionary<int, double>();
            var countyLast = new Dictionary<int, long>();
            double nat30 = 0, nat365 = 0;
            for (var a = 0; a < na; a++)
            {
                var u = nf + a;
                var k = areas.CountyOf[a];
                county2[k] = county2.GetValueOrDefault(k) + c2[u];
                county7[k] = county7.GetValueOrDefault(k) + c7[u];
                county30[k] = county30.GetValueOrDefault(k) + c30[u];
                county365[k] = county365.GetValueOrDefault(k) + c365[u];
                county730[k] = county730.GetValueOrDefault(k) + c730[u];
                countySe2[k] = countySe2.GetValueOrDefault(k) + ownSe2[u];
                countySe7[k] = countySe7.GetValueOrDefault(k) + ownSe7[u];
                countyLast[k] = Math.Max(countyLast.GetValueOrDefault(k, long.MinValue), last[u]);
                nat30 += c30[u];
                nat365 += c365[u];
            }
            for (var a = 0; a < na; a++)
            {
                var u = nf + a;
                var k = areas.CountyOf[a];
                kind[u] = a < areas.MunicipalityCount ? KindMunicipality : KindCounty;
                logCells[u] = (float)Math.Log(Math.Max(1, areas.Cells[a].Length));
                r1_2[u] = (float)(county2[k] - c2[u]);
                r1_7[u] = (float)(county7[k] - c7[u]);
                r1_30[u] = (float)(county30[k] - c30[u]);
                r1_365[u] = (float)(county365[k] - c365[u]);
                r1_730[u] = (float)(county730[k] - c730[u]);
                r2_30[u] = (float)(nat30 - county30[k]);
                r2_365[u] = (float)(nat365 - county365[k]);
                se2[u] = (float)(ownSe2[u] + 0.5 * (countySe2[k] - ownSe2[u]) / Math.Max(1, CountyMembers(areas, k)));
                se7[u] = (float)(ownSe7[u] + 0.5 * (countySe7[k] - ownSe7[u]) / Math.Max(1, CountyMembers(areas, k)));
                kde[u] = (float)decayed[u];
                since[u] = Since(o, last[u]);
                sinceRing[u] = Since(o, countyLast[k]);
                trend[u] = (float)((c30[u] + 0.5) / (c365[u] / 12.17 + 0.5));
                top[u] = (float)((topOwn[u] + 0.5) / (c365[u] + 1));
            }
        }

        // How much of the 365-day look-back actually holds data: near the start of a data set every count and the KDE
        // cover fewer days, and a model trained on such origins must be able to tell them from a real lull.
        var first = h.EventCount > 0 ? h.Events[0].Ticks : o;
        Array.Fill(C("history_days"), (float)Math.Min(365, (o - first) / DayTicks));
        Array.Fill(wp, windowProfile);
        Array.Fill(dow, (float)local.DayOfWeek);
        Array.Fill(hour, local.Hour);
        return x;
    }

    private static float Since(long origin, long last) => last == long.MinValue ? 400f : (float)Math.Min(400, (origin - last) / DayTicks);

    private static int CountyMembers(AreaCells areas, int county)
    {
        var n = 0;
        for (var a = 0; a < areas.MunicipalityCount; a++) if (areas.CountyOf[a] == county) n++;
        return n + 1;
    }
}
