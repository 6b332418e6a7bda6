using Halo.Api.Features.Predictions;

namespace Halo.Api.Tests.Features.Predictions;

public sealed class RiskMathTests
{
    [Theory]
    [InlineData(0.0, "< 1", "< 1 %")]
    [InlineData(0.004, "< 1", "< 1 %")]
    [InlineData(0.45, "< 1", "36 %")]
    [InlineData(0.999, "< 1", "63 %")]
    [InlineData(1.0, "1.0", "63 %")]
    [InlineData(1.49, "1.4", "77 %")]
    [InlineData(12.7, "12", "> 99 %")]
    public void TheShownCountAndProbabilityComeFromTheSameExpectedCountAndRoundHonestly(double expected, string count, string probability)
    {
        Assert.Equal(count, RiskMath.ExpectedDisplay(expected));
        Assert.Equal(probability, RiskMath.ProbabilityDisplay(expected));
    }

    [Fact]
    public void ACountShownAsBelowOneNeverStandsBesideAProbabilityAboveSixtyThreePercent()
    {
        for (var e = 0.0; e < 20; e += 0.001)
        {
            var below = RiskMath.ExpectedDisplay(e) == "< 1";
            Assert.Equal(below, e < 1);
            if (below) Assert.True(RiskMath.ProbabilityAny(e) < 1 - Math.Exp(-1) + 1e-12);
            Assert.NotEqual("0", RiskMath.ExpectedDisplay(e));
        }
    }

    [Theory]
    [InlineData(0.1, 1e-3, 8, 8)]
    [InlineData(0.7, 2e-4, 8, 6)]
    [InlineData(0.99, 5e-2, 9, 5)]
    public void TheScoreAndItsInverseAgree(double score, double reference, int baseResolution, int resolution)
    {
        var e = RiskMath.ExpectedForScore(score, reference, baseResolution, resolution);
        Assert.Equal(score, RiskMath.Score(e, reference, baseResolution, resolution), 12);
        Assert.Equal(0, RiskMath.ExpectedForScore(0, reference, baseResolution, resolution));
    }
}
