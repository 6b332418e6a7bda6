using Halo.Api.Features.Predictions.Model;

namespace Halo.Api.Tests.Features.Predictions;

/// <summary>The backtest's partial ranking must score exactly as a full sort would.</summary>
public sealed class BacktestRankingTests
{
    [Theory]
    [InlineData(1, 1000, 5)]       // few distinct values: long tie groups across every cut
    [InlineData(2, 5000, 100000)]  // nearly all distinct
    [InlineData(3, 37, 3)]
    [InlineData(4, 9, 2)]
    public void ThePartialRankingGivesTheSameHitsAndDecilesAsAFullSort(int seed, int n, int distinct)
    {
        var rng = new Random(seed);
        var score = Enumerable.Range(0, n).Select(_ => (double)rng.Next(distinct)).ToArray();
        var observed = Enumerable.Range(0, n).Select(_ => rng.NextDouble() < 0.1 ? rng.Next(1, 4) : 0.0).ToArray();
        var full = Enumerable.Range(0, n).OrderByDescending(i => score[i]).ToArray();
        var ranked = Backtest.Ranked(score);

        Assert.Equal(Enumerable.Range(0, n), ranked.Order());
        var a = Backtest.Hits(score, full, observed, n);
        var b = Backtest.Hits(score, ranked, observed, n);
        for (var l = 0; l < a.Length; l++) Assert.Equal(a[l], b[l], 9);
        // Each decile holds the same scores (which of two equal cells is in it is free, as in a sort).
        for (var d = 0; d < 10; d++)
        {
            var inFull = Enumerable.Range(0, n).Where(r => r * 10L / n == d).Select(r => score[full[r]]).Order();
            var inRanked = Enumerable.Range(0, n).Where(r => r * 10L / n == d).Select(r => score[ranked[r]]).Order();
            Assert.Equal(inFull, inRanked);
        }
    }
}
