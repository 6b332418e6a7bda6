using Halo.Api.Features.Predictions.Model;
using Halo.H3;

namespace Halo.Api.Tests.Features.Predictions;

/// <summary>The models and the backtest harness on synthetic data whose truth is known.</summary>
public sealed class RiskModelTests
{
    private static readonly DateTime Start = new(2023, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>
    /// A self-exciting (Hawkes) process on 37 res-8 cells around central Stockholm: each cell has its own background rate,
    /// and each event raises the rate of its cell (70 %) and 1-ring (30 %) by a total of 0.5 expected offspring,
    /// decaying with a 2-day mean life. Returns the events and a function giving the true expected count of a cell in
    /// the 24 hours after an origin, given the events before it (offspring of offspring inside the day left out).
    /// </summary>
    private static (List<RiskEvent> Events, Func<ulong, DateTime, List<RiskEvent>, double> Truth, ulong[] Cells) Hawkes(int seed, int days)
    {
        var rng = new Random(seed);
        var centre = H3.H3.LatLngToCell(59.33, 18.06, 8);
        var cells = H3.H3.GridDisk(centre, 3).Select(c => c.Value).ToArray();
        var mu = cells.ToDictionary(c => c, _ => 0.02 + 0.25 * Math.Pow(rng.NextDouble(), 3));
        const double branching = 0.5, tau = 2.0;
        var events = new List<RiskEvent>();
        var queue = new List<(double T, ulong Cell)>();
        foreach (var c in cells)
            for (var t = -Math.Log(1 - rng.NextDouble()) / mu[c]; t < days; t += -Math.Log(1 - rng.NextDouble()) / mu[c]) queue.Add((t, c));
        for (var i = 0; i < queue.Count; i++)
        {
            var (t, c) = queue[i];
            var kids = Poisson(rng, branching);
            for (var k = 0; k < kids; k++)
            {
                var dt = -tau * Math.Log(1 - rng.NextDouble());
                var target = rng.NextDouble() < 0.7 ? c : Ring1(c)[rng.Next(6)];
                if (t + dt < days && mu.ContainsKey(target)) queue.Add((t + dt, target));
            }
        }
        foreach (var (t, c) in queue) events.Add(new RiskEvent(Start.AddDays(t).Ticks, c, -1, 0));
        double Truth(ulong cell, DateTime origin, List<RiskEvent> past)
        {
            var o = (origin - Start).TotalDays;
            var v = mu[cell];
            foreach (var e in past)
            {
                var te = (new DateTime(e.Ticks, DateTimeKind.Utc) - Start).TotalDays;
                if (te >= o || o - te > 30) continue;
                var share = e.Cell == cell ? 0.7 : Ring1(e.Cell).Contains(cell) ? 0.3 / 6 : 0;
                if (share == 0) continue;
                v += branching * share * (Math.Exp(-(o - te) / tau) - Math.Exp(-(o + 1 - te) / tau));
            }
            return v;
        }
        return (events, Truth, cells);
    }

    private static ulong[] Ring1(ulong c) => H3.H3.GridRing(new H3Index(c), 1).Select(x => x.Value).ToArray();

    private static int Poisson(Random rng, double mean)
    {
        var l = Math.Exp(-mean);
        var k = 0;
        for (var p = rng.NextDouble(); p > l; p *= rng.NextDouble()) k++;
        return k;
    }

    private static RiskDataset Dataset(IEnumerable<RiskEvent> events, DateTime activeBefore) =>
        new(events, 8, null, activeBefore, TimeZoneInfo.Utc, ["theft"]);

    [Fact]
    public void LearnedExpectedCountsTrackASelfExcitingTruthBetterThanTrailingCounts()
    {
        var (events, truth, cells) = Hawkes(seed: 7, days: 600);
        var testStart = Start.AddDays(540);
        var data = Dataset(events, testStart);
        var learned = new LearnedRiskModel { TrainingOrigins = 365 };
        learned.Fit(data.At(testStart), CancellationToken.None);
        var trailing = new TrailingCountModel();
        double errLearned = 0, errTrailing = 0;
        for (var day = 0; day < 60; day++)
        {
            var origin = testStart.AddDays(day);
            var view = data.At(origin);
            var profile = HourProfile.Fit(view);
            var x = UnitFeatures.Compute(view, profile);
            var fl = learned.Predict(view, x, profile);
            var ft = trailing.Predict(view, x, profile);
            var past = view.Events.ToArray().Where(e => e.Ticks >= origin.AddDays(-30).Ticks).ToList();
            foreach (var c in cells)
            {
                var u = data.FineIndex[c];
                var t = truth(c, origin, past);
                errLearned += Math.Pow(fl.Daily[u] - t, 2);
                errTrailing += Math.Pow(ft.Daily[u] - t, 2);
            }
        }
        Assert.True(errLearned < errTrailing * 0.8,
            $"Learned squared error {errLearned:0.000} should be well below trailing-count error {errTrailing:0.000}.");
    }

    [Fact]
    public void AnEventJustAfterTheOriginChangesNoForecast()
    {
        var (events, _, cells) = Hawkes(seed: 3, days: 200);
        var origin = Start.AddDays(180);
        var leak = new RiskEvent(origin.AddMinutes(1).Ticks, cells[0], -1, 0);
        var withLeak = events.Append(leak).Append(leak with { Ticks = origin.AddHours(5).Ticks }).ToList();
        foreach (var make in new Func<IRiskModel>[]
                 {
                     () => new TrailingCountModel(365), () => new TrailingCountModel(730), () => new TrailingCountModel(null), () => new KdeModel(),
                     () => new KdeGridModel(), () => new HourOfWeekKdeModel(), () => new HawkesModel(), () => new LearnedRiskModel { TrainingOrigins = 60 },
                 })
        {
            var a = Forecast(make(), Dataset(events, origin), origin);
            var b = Forecast(make(), Dataset(withLeak, origin), origin);
            Assert.Equal(a.Daily, b.Daily);
            Assert.Equal(a.HourShape, b.HourShape);
        }
        // The long-window features (730 days, all history) are part of the rows every model reads.
        var before = UnitFeatures.Compute(Dataset(events, origin).At(origin), HourProfile.Fit(Dataset(events, origin).At(origin)));
        var after = UnitFeatures.Compute(Dataset(withLeak, origin).At(origin), HourProfile.Fit(Dataset(withLeak, origin).At(origin)));
        foreach (var name in new[] { "own_730d", "ring1_730d", "own_all_rate" })
            Assert.Equal(before.Columns[Array.IndexOf(UnitFeatures.Names, name)], after.Columns[Array.IndexOf(UnitFeatures.Names, name)]);

        static UnitForecast Forecast(IRiskModel m, RiskDataset d, DateTime origin)
        {
            var view = d.At(origin);
            m.Fit(view, CancellationToken.None);
            var profile = HourProfile.Fit(view);
            return m.Predict(view, UnitFeatures.Compute(view, profile), profile);
        }
    }

    [Fact]
    public void AHistoryViewRefusesToShowAnythingAfterItsOrigin()
    {
        var (events, _, _) = Hawkes(seed: 5, days: 100);
        var origin = Start.AddDays(50);
        var view = Dataset(events, origin).At(origin);
        Assert.All(view.Events.ToArray(), e => Assert.True(e.Ticks < origin.Ticks));
        Assert.Throws<InvalidOperationException>(() => view.At(origin.AddTicks(1)));
        Assert.Throws<InvalidOperationException>(() => view.CountFine(0, origin.Ticks, origin.AddHours(1).Ticks));
        Assert.True(view.FineTimes(0, 0).ToArray().All(t => t < origin.Ticks));
    }

    [Fact]
    public void BacktestScoresAPerfectlyInformedRankingAboveABlindOne()
    {
        // Events only ever happen in one cell: every model that uses history puts it first; hit rate at 5 % is 1.
        var centre = H3.H3.LatLngToCell(59.33, 18.06, 8).Value;
        var others = H3.H3.GridDisk(new H3Index(centre), 4).Select(c => c.Value).Where(c => c != centre).ToArray();
        var events = new List<RiskEvent>();
        for (var d = 0; d < 120; d++) events.Add(new RiskEvent(Start.AddDays(d).AddHours(20).Ticks, centre, -1, 0));
        // One early event elsewhere per ring-4 cell so the area is large.
        for (var i = 0; i < others.Length; i++) events.Add(new RiskEvent(Start.AddHours(i).Ticks, others[i], -1, 0));
        var testStart = Start.AddDays(100);
        var data = Dataset(events, testStart);
        var space = new CellSpace(data);
        var scores = Backtest.Evaluate(data, space, [new UniformHours(new TrailingCountModel()), new HourOfWeekKdeModel()],
            Enumerable.Range(0, 10).Select(k => testStart.AddDays(k)).ToList());
        Assert.All(scores, s => Assert.Equal(1.0, s.HitRateAt["5"]));
        // The hour profile knows events come at 20:00: a better likelihood than spreading over all hours (which no
        // served model does any more; the wrapper below only stands in for one).
        Assert.True(scores[1].MeanLogLikelihood > scores[0].MeanLogLikelihood);
        Assert.Equal(10, scores[0].ObservedTotal);
    }

    /// <summary>A model's "where" with the hours spread evenly: the old behaviour of the trailing count, as a yardstick.</summary>
    private sealed class UniformHours(IRiskModel inner) : IRiskModel
    {
        public string Name => inner.Name + "_uniform_hours";
        public void Fit(HistoryView history, CancellationToken ct) => inner.Fit(history, ct);
        public UnitForecast Predict(HistoryView history, UnitFeatures features, HourProfile profile) =>
            inner.Predict(history, features, profile) with { HourShape = HourProfile.UniformShape };
        public string Settings => inner.Settings;
        public byte[]? Artifact => inner.Artifact;
    }

    [Fact]
    public void EveryModelSplitsTheDayByTheHourOfWeekProfileWhenTheDataHasHourStructure()
    {
        // All events at 20:00: whatever decides where, the hours must not be uniform.
        var cell = H3.H3.LatLngToCell(59.33, 18.06, 8).Value;
        var events = Enumerable.Range(0, 300).Select(d => new RiskEvent(Start.AddDays(d).AddHours(20).Ticks, cell, -1, 0)).ToList();
        var origin = Start.AddDays(300);
        var view = Dataset(events, origin).At(origin);
        var profile = HourProfile.Fit(view);
        var x = UnitFeatures.Compute(view, profile);
        foreach (IRiskModel m in new IRiskModel[] { new TrailingCountModel(365), new TrailingCountModel(730), new TrailingCountModel(null), new KdeModel(), new KdeGridModel(), new HourOfWeekKdeModel() })
        {
            m.Fit(view, CancellationToken.None);
            var f = m.Predict(view, x, profile);
            Assert.Equal(profile.Shape(origin), f.HourShape);
            Assert.True(f.HourShape[20] > 3 * f.HourShape[8], $"{m.Name}: {f.HourShape[20]} vs {f.HourShape[8]}");
        }
    }

    [Fact]
    public void TheLearnedModelTrainsOnTheLiveDaysOfAHistoryWithAGap()
    {
        // Half a year of events, nothing for 400 days, then three live days: the 365 days before the origin hold only
        // the gap and the live days, which used to give "0 unit-days with events".
        var rng = new Random(3);
        var cells = H3.H3.GridDisk(H3.H3.LatLngToCell(59.33, 18.06, 8), 2).Select(c => c.Value).ToArray();
        var events = new List<RiskEvent>();
        for (var i = 0; i < 3000; i++) events.Add(new RiskEvent(Start.AddDays(rng.NextDouble() * 180).Ticks, cells[rng.Next(cells.Length)], -1, 0));
        var liveFrom = Start.AddDays(580);
        for (var i = 0; i < 300; i++) events.Add(new RiskEvent(liveFrom.AddDays(rng.NextDouble() * 3).Ticks, cells[rng.Next(cells.Length)], -1, 0));
        var origin = liveFrom.AddDays(3);
        var view = Dataset(events, origin).At(origin);
        var days = LearnedRiskModel.TrainingDays(view, 365);
        Assert.All(days, t => Assert.True(view.CountAll(t.Ticks, t.AddDays(1).Ticks) > 0));
        Assert.Contains(days, t => t >= liveFrom);
        Assert.Contains(days, t => t < Start.AddDays(180));
        var learned = new LearnedRiskModel { TrainingOrigins = 60 };
        learned.Fit(view, CancellationToken.None);
        Assert.True(learned.LastFitRows.Positive > 10);
    }

    [Fact]
    public void TheKdeGridChoosesANarrowKernelWhenEventsStayInTheirCellAndAWideOneWhenTheyWander()
    {
        var centre = H3.H3.LatLngToCell(59.33, 18.06, 8);
        var disk = H3.H3.GridDisk(centre, 3).Select(c => c.Value).ToArray();
        var rng = new Random(9);
        var hot = disk.Take(5).ToArray();
        // Fixed hot cells, each event in its own cell: the cell-only kernel predicts best.
        var stay = Enumerable.Range(0, 400).Select(i => new RiskEvent(Start.AddDays(i * 1.0).Ticks, hot[rng.Next(hot.Length)], -1, 0)).ToList();
        // Events land anywhere in a 2-ring around the hot cells: a wider kernel predicts best.
        var wander = Enumerable.Range(0, 400).Select(i =>
        {
            var around = H3.H3.GridDisk(new H3Index(hot[rng.Next(hot.Length)]), 2).ToArray();
            return new RiskEvent(Start.AddDays(i * 1.0).Ticks, around[rng.Next(around.Length)].Value, -1, 0);
        }).ToList();
        var origin = Start.AddDays(399.5);
        var a = new KdeGridModel();
        a.Fit(Dataset(stay.Append(new RiskEvent(Start.Ticks, disk[^1], -1, 0)), origin).At(origin), CancellationToken.None);
        var b = new KdeGridModel();
        b.Fit(Dataset(wander, origin).At(origin), CancellationToken.None);
        Assert.Equal(0, a.Bandwidth);
        Assert.True(b.Bandwidth > 0, $"chose k{b.Bandwidth}");
        Assert.Equal(KdeGridModel.Decays.Length * KdeGridModel.Bandwidths.Length, a.GridScores.Count);
    }

    /// <summary>
    /// The simulated process above has known parameters: each event triggers 0.5 events on average (θ), after a mean
    /// delay of 2 days (1/ω), 70 % of them in its own cell and 30 % in its 1-ring. Tolerances: θ ± 0.12, 1/ω ± 0.6 days,
    /// own-cell share ± 0.12, 2-ring share below 0.1 (the simulation drops the offspring that fall outside its 37 cells;
    /// the fit, which only counts cells where events are seen, must not mistake that for a smaller 1-ring share), and the fitted forecast tracks the true expected counts better than the
    /// 365-day trailing count.
    /// </summary>
    [Fact]
    public void TheSelfExcitingFitRecoversTheSimulatedParametersWithinTolerance()
    {
        var (events, truth, cells) = Hawkes(seed: 7, days: 600);
        var origin = Start.AddDays(560);
        var data = Dataset(events, origin);
        var m = new HawkesModel();
        m.Fit(data.At(origin), CancellationToken.None);
        Assert.True(m.SlowTheta is >= 0.38 and <= 0.62, m.ToString());
        Assert.True(1 / m.Omega[HawkesModel.Slow] is >= 1.4 and <= 2.6, m.ToString());
        Assert.True(m.SlowRingShare[0] is >= 0.58 and <= 0.82, m.ToString());
        Assert.True(m.SlowRingShare[2] < 0.1, m.ToString());
        // The simulation has no triggering within hours: the fast scale stays small.
        Assert.True(m.FastTheta < 0.05, m.ToString());
        // EM converged (a log-likelihood gain under Tolerance per event) before its iteration cap.
        Assert.InRange(m.IterationsRun, 2, m.Iterations - 1);

        double errHawkes = 0, errTrailing = 0;
        for (var day = 0; day < 40; day++)
        {
            var o = origin.AddDays(day);
            var view = data.At(o);
            var profile = HourProfile.Fit(view);
            var x = UnitFeatures.Compute(view, profile);
            var fh = m.Predict(view, x, profile);
            var ft = new TrailingCountModel().Predict(view, x, profile);
            var past = view.Events.ToArray().Where(e => e.Ticks >= o.AddDays(-30).Ticks).ToList();
            foreach (var c in cells)
            {
                var u = data.FineIndex[c];
                var t = truth(c, o, past);
                errHawkes += Math.Pow(fh.Daily[u] - t, 2);
                errTrailing += Math.Pow(ft.Daily[u] - t, 2);
            }
        }
        Assert.True(errHawkes < errTrailing * 0.8, $"Hawkes squared error {errHawkes:0.000} vs trailing {errTrailing:0.000} ({m})");
    }

    /// <summary>Serving restores a chosen self-exciting model from the registry's settings: it must forecast exactly what was fitted.</summary>
    [Fact]
    public void ASelfExcitingModelRestoredFromItsSettingsForecastsWhatWasFitted()
    {
        var (events, _, _) = Hawkes(seed: 11, days: 400);
        var origin = Start.AddDays(380);
        var data = Dataset(events, origin);
        var fitted = new HawkesModel();
        fitted.Fit(data.At(origin), CancellationToken.None);
        var restored = HawkesModel.FromSettings(fitted.Settings);
        var later = origin.AddDays(7);
        var view = data.At(later);
        var profile = HourProfile.Fit(view);
        var x = UnitFeatures.Compute(view, profile);
        var a = fitted.Predict(view, x, profile);
        var b = restored.Predict(view, x, profile);
        Assert.True(a.Daily.Sum() > 0);
        Assert.Equal(a.Daily, b.Daily);
        Assert.Equal(a.HourShape, b.HourShape);
    }

    /// <summary>
    /// Serving walks the fitted trees itself instead of going through ML.NET's data views; it must score every row as
    /// ML.NET does, both for a freshly fitted model and for one restored from the registry's artifact.
    /// </summary>
    [Fact]
    public void TheLearnedModelScoresRowsAsMlNetDoesWhenItWalksTheTreesItself()
    {
        var (events, _, _) = Hawkes(seed: 5, days: 400);
        var origin = Start.AddDays(360);
        var data = Dataset(events, origin);
        var fitted = new LearnedRiskModel { TrainingOrigins = 120 };
        fitted.Fit(data.At(origin), CancellationToken.None);
        var restored = LearnedRiskModel.Load(fitted.Artifact!, fitted.Scale);
        var rows = new List<float[]>();
        for (var day = 0; day < 30; day += 3)
        {
            var view = data.At(origin.AddDays(day));
            var profile = HourProfile.Fit(view);
            var x = UnitFeatures.Compute(view, profile);
            for (var u = 0; u < x.Units; u++) rows.Add(x.Row(u));
            foreach (var model in new[] { fitted, restored })
            {
                var walked = model.Predict(view, x, profile);
                model.WalkTrees = false;
                var reference = model.Predict(view, x, profile);
                model.WalkTrees = true;
                Assert.True(reference.Daily.Sum() > 0);
                for (var u = 0; u < x.Units; u++)
                    Assert.True(Math.Abs(walked.Daily[u] - reference.Daily[u]) <= 1e-5 * Math.Max(1e-3, reference.Daily[u]), $"unit {u}: {walked.Daily[u]} vs ML.NET {reference.Daily[u]}");
            }
        }
        foreach (var model in new[] { fitted, restored })
        {
            var reference = model.ScoreWithMlNet(rows);
            var flat = model.ScoreWithFlatTrees(rows);
            Assert.NotNull(flat);
            Assert.True(reference.Distinct().Count() > 10, "the rows should reach many different leaves");
            for (var r = 0; r < rows.Count; r++)
                Assert.True(Math.Abs(flat![r] - reference[r]) <= 1e-5 * Math.Max(1, Math.Abs(reference[r])), $"row {r}: {flat[r]} vs ML.NET {reference[r]}");
        }
    }
}
