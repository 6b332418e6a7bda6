using System.Diagnostics;
using System.Globalization;
using System.Numerics.Tensors;
using System.Text.Json;

namespace Halo.Api.Features.Predictions.Model;

/// <summary>
/// A self-exciting point process (ETAS / Hawkes, after Mohler et al. 2011 and 2015) on the prediction units:
/// λ_u(t) = μ_u + Σ_i Σ_c θ_c,k·ω_c·e^(−ω_c(t − t_i))/n_k. The triggering has two time scales c: a fast one (a mean
/// delay of hours: on city data mostly one incident recorded as several nearby events) and a slow one (a day to
/// <see cref="MaxLagDays"/>: repeat and near-repeat victimisation). With a single exponential the fast pairs, far more
/// numerous, set ω, and the days-long triggering that a next-day forecast can use is lost. θ_c,k is the expected
/// number of events each event triggers at H3 ring distance k (0, 1, 2), spread over the ring's n_k cells where events
/// are seen; a coarse event (a municipality or county) triggers only in its own area, with its own θ_c.
/// θ and ω are fitted by expectation–maximisation on the events of the <see cref="FitDays"/> before the fit origin
/// (the E-step gives each event's probability of being background or the offspring of each earlier event within
/// <see cref="MaxLagDays"/> and two rings, on either time scale; the M-step re-estimates the parameters from those
/// probabilities). The forecast's background μ_u = Σ_k β_k·R_k(u) is the long-term rate (events per day over the
/// <see cref="BackgroundDays"/> before the origin) of the unit and of its rings, β fitted after the EM to the events it
/// assigned to the background. The forecast for the next 24 hours is μ_u plus the triggering of the past events
/// integrated over the day (offspring of offspring within the day left out); the hours follow the hour-of-week profile.
/// </summary>
public sealed class HawkesModel : IRiskModel
{
    public const string ModelName = "hawkes_etas";
    public const int BackgroundDays = 730;
    public const int FitDays = 365;
    public const double MaxLagDays = 30;
    /// <summary>At most this many most recent possible parents per event (bounds the E-step on dense data).</summary>
    public const int MaxParents = 300;
    public const int Fast = 0, Slow = 1;
    /// <summary>Events whose pairs' exponentials the E-step computes together.</summary>
    private const int ExpBlock = 64;
    /// <summary>The range of each time scale's ω (per day): fast means a mean delay of 30 minutes to 6 hours, slow of a day to 30 (the gap keeps them apart).</summary>
    private static readonly (double Min, double Max)[] OmegaRange = [(4, 48), (1 / MaxLagDays, 1)];

    public int Iterations { get; init; } = 200;

    /// <summary>
    /// EM stops once an iteration raises the log-likelihood by less than this many nats per event. On the likelihood, not
    /// the parameters: a time scale the data does not support fades towards θ = 0 slowly without changing the fit.
    /// </summary>
    public double Tolerance { get; init; } = 1e-6;

    /// <summary>EM iterations the last fit took (at most <see cref="Iterations"/>).</summary>
    public int IterationsRun { get; private set; }

    /// <summary>
    /// β_k: the forecast's background is Σ_k β_k·R_k(u), R_0 the unit's own long-term rate and R_1, R_2 the mean rate
    /// of its 1- and 2-ring cells (a spatially smoothed background, as in Mohler et al.'s kernel background).
    /// </summary>
    public double[] BackgroundWeights { get; private set; } = [1, 0, 0];
    /// <summary>θ_c,k: expected offspring of a cell's event on time scale c at ring distance k.</summary>
    public double[][] ThetaRing { get; private set; } = [[0, 0, 0], [0, 0, 0]];
    /// <summary>θ_c of an area's (coarse) event, in its own area.</summary>
    public double[] ThetaArea { get; private set; } = [0, 0];
    public double[] Omega { get; private set; } = [4, 0.2];
    public int FittedEvents { get; private set; }
    /// <summary>Seconds the last fit spent finding the candidate parents (the rest is the EM).</summary>
    public double PairSeconds { get; private set; }

    /// <summary>Expected offspring of a cell's event on the slow scale, over its own cell and two rings.</summary>
    public double SlowTheta => ThetaRing[Slow].Sum();
    public double FastTheta => ThetaRing[Fast].Sum();
    /// <summary>The slow scale's share of its offspring at ring distance 0, 1, 2.</summary>
    public double[] SlowRingShare => SlowTheta > 0 ? [.. ThetaRing[Slow].Select(t => t / SlowTheta)] : [1, 0, 0];

    /// <summary>Candidate parent–child pairs of the last fit by ring distance (0, 1, 2).</summary>
    public int[] CandidatePairs { get; private set; } = [0, 0, 0];

    public string Name => ModelName;
    public byte[]? Artifact => null;

    public string Settings => JsonSerializer.Serialize(new
    {
        background_weights = BackgroundWeights, theta_ring = ThetaRing, theta_area = ThetaArea, omega_per_day = Omega,
        mean_delay_days = Omega.Select(o => 1 / o).ToArray(),
        background_days = BackgroundDays, fit_days = FitDays, max_lag_days = MaxLagDays, fitted_events = FittedEvents, iterations = IterationsRun, candidate_pairs = CandidatePairs, hours = "hour_of_week_profile",
    });

    /// <summary>The fitted model from its <see cref="Settings"/>.</summary>
    public static HawkesModel FromSettings(string settings)
    {
        using var doc = JsonDocument.Parse(settings);
        var r = doc.RootElement;
        static double[] Doubles(JsonElement e) => [.. e.EnumerateArray().Select(x => x.GetDouble())];
        return new HawkesModel
        {
            BackgroundWeights = Doubles(r.GetProperty("background_weights")),
            ThetaRing = [.. r.GetProperty("theta_ring").EnumerateArray().Select(Doubles)],
            ThetaArea = Doubles(r.GetProperty("theta_area")),
            Omega = Doubles(r.GetProperty("omega_per_day")),
        };
    }

    private const double Day = TimeSpan.TicksPerDay;

    /// <summary>Events of the view as (unit, time in days before the origin), oldest first; units not in the data set are left out.</summary>
    private static List<(int Unit, double Age)> UnitEvents(HistoryView h, double days)
    {
        var d = h.Data;
        var o = h.Origin.Ticks;
        var from = o - (long)(days * Day);
        var list = new List<(int, double)>();
        foreach (var e in h.Events[HistoryView.LowerBound(d.EventTicks, from)..])
        {
            int u;
            if (e.IsCoarse) { if (e.Area < 0 || e.Area >= d.AreaCount) continue; u = d.FineCells.Length + e.Area; }
            else if (!d.FineIndex.TryGetValue(e.Cell, out u)) continue;
            list.Add((u, (o - e.Ticks) / Day));
        }
        return list;
    }

    /// <summary>Ring distance 0–2 between two units, or −1 (areas only relate to themselves).</summary>
    private static int Ring(RiskDataset d, int a, int b)
    {
        if (a == b) return 0;
        var nf = d.FineCells.Length;
        if (a >= nf || b >= nf) return -1;
        if (Array.IndexOf(d.Ring1[a], b) >= 0) return 1;
        if (Array.IndexOf(d.Ring2[a], b) >= 0) return 2;
        return -1;
    }

    private static readonly double[] RingCells = [1, 6, 12];

    /// <summary>The long-term rate per unit: events per day over the background window (per day covered).</summary>
    private static double[] Background(HistoryView h, out double days)
    {
        var d = h.Data;
        var nf = d.FineCells.Length;
        var o = h.Origin.Ticks;
        var from = Math.Max(0, o - BackgroundDays * TimeSpan.TicksPerDay);
        days = Math.Max(1, (o - Math.Max(from, h.FirstTicks)) / Day);
        var b = new double[d.UnitCount];
        for (var u = 0; u < b.Length; u++) b[u] = (u < nf ? h.CountFine(u, from, o) : h.CountArea(u - nf, from, o)) / days;
        return b;
    }

    public void Fit(HistoryView history, CancellationToken ct)
    {
        var fitStarted = Stopwatch.GetTimestamp();
        var d = history.Data;
        var nf = d.FineCells.Length;
        var b = Background(history, out var backgroundDays);
        var events = UnitEvents(history, FitDays);
        FittedEvents = events.Count;
        if (events.Count < 50) throw new InvalidOperationException($"Only {events.Count} events in the {FitDays} days before the origin; too few to fit the self-exciting model.");
        var span = Math.Min(FitDays, (history.Origin.Ticks - history.FirstTicks) / Day);
        var sumB = b.Sum();

        // Candidate parents of each event: earlier events within the lag and two rings (the most recent MaxParents),
        // flattened: event j's pairs are [first[j], first[j + 1]) of ring and lag (the EM needs no more of a parent).
        var first = new int[events.Count + 1];
        var pairRing = new List<byte>();
        var pairLag = new List<double>();
        var recent = new Dictionary<int, List<int>>();
        var pairs = new int[3];
        var list = new List<(int Ring, double Lag)>();
        for (var j = 0; j < events.Count; j++)
        {
            ct.ThrowIfCancellationRequested();
            var (u, age) = events[j];
            list.Clear();
            foreach (var v in Neighbourhood(d, u))
            {
                if (!recent.TryGetValue(v, out var earlier)) continue;
                var k = Ring(d, u, v);
                // A unit's earlier events come most recent first, so no more than MaxParents of them can be kept.
                var taken = 0;
                for (var x = earlier.Count - 1; x >= 0 && taken < MaxParents; x--)
                {
                    var lag = events[earlier[x]].Age - age;
                    if (lag > MaxLagDays) break;
                    if (lag > 0) { list.Add((k, lag)); taken++; }
                }
            }
            if (list.Count > MaxParents)
            {
                var kept = list.OrderBy(p => p.Lag).Take(MaxParents).ToList();
                list.Clear();
                list.AddRange(kept);
            }
            first[j] = pairRing.Count;
            foreach (var (k, lag) in list) { pairs[k]++; pairRing.Add((byte)k); pairLag.Add(lag); }
            if (!recent.TryGetValue(u, out var mine)) recent[u] = mine = [];
            mine.Add(j);
        }
        first[events.Count] = pairRing.Count;
        PairSeconds = Stopwatch.GetElapsedTime(fitStarted).TotalSeconds;
        var ringOf = pairRing.ToArray();
        var lagOf = pairLag.ToArray();

        // Offspring can only be seen where events happen: a cell with none in the background window (water, a field, the
        // edge of the data) receives none, so each ring's branching θ_k is fitted on the supported cells it reaches —
        // the compensator of event i is G_i·Σ_k θ_k·n_k(i)/c_k, n_k(i) its supported cells at ring k of c_k. Counting the
        // unsupported cells as well charges the likelihood for offspring nobody could observe, and the fit then gives the
        // neighbours' share to the background.
        var reach = new double[b.Length][];
        for (var u = 0; u < b.Length; u++)
            reach[u] = u >= nf ? [1, 0, 0] : [1, d.Ring1[u].Count(v => b[v] > 0), d.Ring2[u].Count(v => b[v] > 0)];
        double[][] thetaRing = [[0.1, 0.05, 0.05], [0.05, 0.02, 0.02]];
        double[] thetaArea = [0.1, 0.1], omega = [4, 0.2];
        // The E-step uses a declustered background per unit (Mohler et al.: each unit's background-assigned events per
        // day), started at the unit's long-term rate; the long-term rate itself still holds the offspring, and with it
        // the background would absorb the clustering and θ come out low. The forecast's background, a smoothed long-term
        // rate, is fitted afterwards to the events this EM assigns to the background.
        var mu = new double[b.Length];
        for (var u = 0; u < mu.Length; u++) mu[u] = 0.8 * b[u];
        var iterations = 0;
        var previous = double.NegativeInfinity;
        var bgProb = new double[events.Count];
        // The E-step in a fixed number of chunks of events, each with its own sums, added in chunk order: the same
        // result on any number of cores.
        const int chunks = 16;
        var sums = new EStepSums[chunks];
        for (var it = 0; it < Iterations; it++)
        {
            ct.ThrowIfCancellationRequested();
            iterations = it + 1;
            // Density of a pair at ring k on scale c is coef[c][k]·e^(−ω_c·lag); index 3 is an area's own-area pair.
            var coef = new double[2][];
            for (var c = 0; c < 2; c++)
                coef[c] = [thetaRing[c][0] * omega[c], thetaRing[c][1] * omega[c] / RingCells[1], thetaRing[c][2] * omega[c] / RingCells[2], thetaArea[c] * omega[c]];
            Parallel.For(0, chunks, new ParallelOptions { CancellationToken = ct }, chunk =>
            {
                var acc = new EStepSums();
                var density = new double[2 * MaxParents];
                double[] expFast = [], expSlow = [];
                int lo = (int)((long)chunk * events.Count / chunks), hi = (int)((long)(chunk + 1) * events.Count / chunks);
                var blockStart = 0;
                for (var j = lo; j < hi; j++)
                {
                    // e^(−ω_c·lag) of a block of events' pairs at once, vectorised, into buffers that stay in cache: the
                    // EM's cost is almost all in these exponentials and in reading the pairs.
                    if ((j - lo) % ExpBlock == 0)
                    {
                        blockStart = first[j];
                        var blockEnd = first[Math.Min(hi, j + ExpBlock)];
                        if (expFast.Length < blockEnd - blockStart) { expFast = new double[blockEnd - blockStart]; expSlow = new double[blockEnd - blockStart]; }
                        var lag = lagOf.AsSpan(blockStart, blockEnd - blockStart);
                        var f = expFast.AsSpan(0, lag.Length);
                        var sl = expSlow.AsSpan(0, lag.Length);
                        TensorPrimitives.Multiply(lag, -omega[Fast], f);
                        TensorPrimitives.Exp(f, f);
                        TensorPrimitives.Multiply(lag, -omega[Slow], sl);
                        TensorPrimitives.Exp(sl, sl);
                    }
                    var u = events[j].Unit;
                    var isArea = u >= nf;
                    var total = mu[u];
                    int p0 = first[j], n = first[j + 1] - p0;
                    for (var q = 0; q < n; q++)
                    {
                        var k = ringOf[p0 + q];
                        var idx = isArea ? (k == 0 ? 3 : -1) : k;
                        double d0 = 0, d1 = 0;
                        if (idx >= 0)
                        {
                            d0 = coef[Fast][idx] * expFast[p0 + q - blockStart];
                            d1 = coef[Slow][idx] * expSlow[p0 + q - blockStart];
                        }
                        density[2 * q] = d0;
                        density[2 * q + 1] = d1;
                        total += d0 + d1;
                    }
                    if (total <= 0) { bgProb[j] = 0; continue; }
                    acc.LogLikelihood += Math.Log(total);
                    bgProb[j] = mu[u] / total;
                    for (var q = 0; q < n; q++)
                    {
                        var k = ringOf[p0 + q];
                        var lag = lagOf[p0 + q];
                        for (var c = 0; c < 2; c++)
                        {
                            var p = density[2 * q + c] / total;
                            acc.Trig[c] += p;
                            acc.TrigLag[c] += p * lag;
                            if (isArea) acc.AreaMass[c] += p; else acc.RingMass[c][k] += p;
                        }
                    }
                }
                sums[chunk] = acc;
            });
            // The log-likelihood of the parameters this E-step used: Σ log λ(event) − ∫ λ.
            var logLikelihood = -mu.Sum() * Math.Max(1, span);
            double[] trig = [0, 0], trigLag = [0, 0], areaMass = [0, 0];
            double[][] ringMass = [[0, 0, 0], [0, 0, 0]];
            foreach (var acc in sums)
            {
                logLikelihood += acc.LogLikelihood;
                for (var c = 0; c < 2; c++)
                {
                    trig[c] += acc.Trig[c];
                    trigLag[c] += acc.TrigLag[c];
                    areaMass[c] += acc.AreaMass[c];
                    for (var k = 0; k < 3; k++) ringMass[c][k] += acc.RingMass[c][k];
                }
            }
            var bgUnit = new double[mu.Length];
            for (var j = 0; j < events.Count; j++) bgUnit[events[j].Unit] += bgProb[j];
            for (var u = 0; u < mu.Length; u++) mu[u] = bgUnit[u] / Math.Max(1, span);
            for (var c = 0; c < 2; c++)
            {
                var exposure = new double[3];
                var areaExposure = 0.0;
                foreach (var (u, age) in events)
                {
                    var g = 1 - Math.Exp(-omega[c] * Math.Min(age, MaxLagDays));
                    if (u >= nf) { areaExposure += g; continue; }
                    for (var k = 0; k < 3; k++) exposure[k] += g * reach[u][k] / RingCells[k];
                }
                for (var k = 0; k < 3; k++) logLikelihood -= thetaRing[c][k] * exposure[k];
                logLikelihood -= thetaArea[c] * areaExposure;
                for (var k = 0; k < 3; k++) thetaRing[c][k] = exposure[k] > 0 ? ringMass[c][k] / exposure[k] : 0;
                thetaArea[c] = areaExposure > 0 ? areaMass[c] / areaExposure : 0;
                omega[c] = trigLag[c] > 0 ? Math.Clamp(trig[c] / trigLag[c], OmegaRange[c].Min, OmegaRange[c].Max) : omega[c];
            }
            // Subcritical, as a stationary process must be.
            var sum = thetaRing[Fast].Sum() + thetaRing[Slow].Sum();
            if (sum > 0.95) foreach (var t in thetaRing) for (var k = 0; k < 3; k++) t[k] *= 0.95 / sum;
            var areaSum = thetaArea.Sum();
            if (areaSum > 0.95) for (var c = 0; c < 2; c++) thetaArea[c] *= 0.95 / areaSum;
            if (logLikelihood - previous < Tolerance * events.Count) break;
            previous = logLikelihood;
        }
        IterationsRun = iterations;
        (BackgroundWeights, ThetaRing, ThetaArea, Omega, CandidatePairs) =
            (FitBackgroundWeights(d, b, backgroundDays, events, bgProb, span, sumB > 0 ? mu.Sum() / sumB : 1), thetaRing, thetaArea, omega, pairs);
    }

    /// <summary>
    /// The rings' long-term rates: R_0 the unit's own, R_1 and R_2 the mean over its 1- and 2-ring cells (areas: own only).
    /// </summary>
    private static double[][] RingRates(RiskDataset d, double[] b)
    {
        var nf = d.FineCells.Length;
        double[][] r = [b, new double[b.Length], new double[b.Length]];
        for (var u = 0; u < nf; u++)
        {
            foreach (var v in d.Ring1[u]) r[1][u] += b[v] / RingCells[1];
            foreach (var v in d.Ring2[u]) r[2][u] += b[v] / RingCells[2];
        }
        return r;
    }

    /// <summary>
    /// β_k by EM over the fit window's background-assigned events (each event's background probability from the last
    /// E-step, split over the rings by β_k·R_k). Leave-one-out: an event's own count is taken out of its unit's R_0, as a
    /// forecast never has the event it predicts in its history; otherwise the own cell would always win.
    /// </summary>
    private static double[] FitBackgroundWeights(RiskDataset d, double[] b, double days, List<(int Unit, double Age)> events,
        double[] bgProb, double span, double alpha)
    {
        var r = RingRates(d, b);
        var totals = r.Select(x => x.Sum()).ToArray();
        double[] beta = [alpha / 3, alpha / 3, alpha / 3];
        for (var it = 0; it < 100; it++)
        {
            var mass = new double[3];
            for (var j = 0; j < events.Count; j++)
            {
                var u = events[j].Unit;
                var parts = new double[3];
                for (var k = 0; k < 3; k++) parts[k] = beta[k] * Math.Max(0, r[k][u] - (k == 0 ? 1 / days : 0));
                var sum = parts.Sum();
                if (sum <= 0) continue;
                for (var k = 0; k < 3; k++) mass[k] += bgProb[j] * parts[k] / sum;
            }
            var next = new double[3];
            for (var k = 0; k < 3; k++) next[k] = totals[k] > 0 ? mass[k] / (Math.Max(1, span) * totals[k]) : 0;
            var moved = Enumerable.Range(0, 3).Max(k => Math.Abs(next[k] - beta[k]));
            beta = next;
            if (moved < 1e-6 * alpha) break;
        }
        return beta;
    }

    /// <summary>One chunk's sums of the E-step.</summary>
    private sealed class EStepSums
    {
        public double LogLikelihood;
        public readonly double[] Trig = new double[2], TrigLag = new double[2], AreaMass = new double[2];
        public readonly double[][] RingMass = [new double[3], new double[3]];
    }

    /// <summary>The unit and the units within two rings of it (an area: itself).</summary>
    private static IEnumerable<int> Neighbourhood(RiskDataset d, int u)
    {
        yield return u;
        if (u >= d.FineCells.Length) yield break;
        foreach (var v in d.Ring1[u]) yield return v;
        foreach (var v in d.Ring2[u]) yield return v;
    }

    public UnitForecast Predict(HistoryView history, UnitFeatures features, HourProfile profile)
    {
        var d = history.Data;
        var nf = d.FineCells.Length;
        var b = Background(history, out _);
        var r = RingRates(d, b);
        var daily = new double[d.UnitCount];
        for (var u = 0; u < daily.Length; u++) daily[u] = BackgroundWeights[0] * r[0][u] + BackgroundWeights[1] * r[1][u] + BackgroundWeights[2] * r[2][u];
        foreach (var (u, age) in UnitEvents(history, MaxLagDays))
            for (var c = 0; c < 2; c++)
            {
                // Expected offspring in [origin, origin + 1 day), on the cells where events are seen (as fitted).
                var day = Math.Exp(-Omega[c] * age) - Math.Exp(-Omega[c] * (age + 1));
                if (u >= nf) { daily[u] += day * ThetaArea[c]; continue; }
                var t = ThetaRing[c];
                daily[u] += day * t[0];
                foreach (var v in d.Ring1[u]) if (b[v] > 0) daily[v] += day * t[1] / RingCells[1];
                foreach (var v in d.Ring2[u]) if (b[v] > 0) daily[v] += day * t[2] / RingCells[2];
            }
        return new UnitForecast(daily, profile.Shape(history.Origin));
    }

    public override string ToString()
    {
        string Scale(int c) => string.Create(CultureInfo.InvariantCulture,
            $"θ {ThetaRing[c].Sum():0.000} (rings {ThetaRing[c][0]:0.000}/{ThetaRing[c][1]:0.000}/{ThetaRing[c][2]:0.000}, areas {ThetaArea[c]:0.000}), 1/ω {1 / Omega[c]:0.00} d");
        return string.Create(CultureInfo.InvariantCulture,
            $"{Name}: background β {BackgroundWeights[0]:0.000}/{BackgroundWeights[1]:0.000}/{BackgroundWeights[2]:0.000}; fast {Scale(Fast)}; slow {Scale(Slow)}; pairs {CandidatePairs[0]}/{CandidatePairs[1]}/{CandidatePairs[2]}, events {FittedEvents}, {IterationsRun} EM iterations, parents found in {PairSeconds:0.0} s");
    }
}
