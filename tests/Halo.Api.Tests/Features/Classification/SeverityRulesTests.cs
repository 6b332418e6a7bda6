using Halo.Api.Features.Classification;

namespace Halo.Api.Tests.Features.Classification;

public sealed class SeverityRulesTests
{
    [Fact]
    public void UsesTheCategoryDefaultForPlainText() =>
        Assert.Equal(2, SeverityRules.Suggest("theft", "Min cykel är borta.", null));

    [Theory]
    [InlineData("En man har blivit skjuten i benet.", 5)]   // violence 3 + 2 (lethal words)
    [InlineData("Grov misshandel utanför krogen.", 4)]      // + 1 (aggravating)
    [InlineData("Han hotade mig med en kniv.", 4)]
    [InlineData("Mannen hittades död i lägenheten.", 5)]
    [InlineData("Bråk mellan två grannar.", 3)]
    public void RaisesSeverityForAggravatingWords(string text, int expected) =>
        Assert.Equal(expected, SeverityRules.Suggest("violence", text, null));

    [Fact]
    public void LowersSeverityWhenNobodyWasHurt() =>
        Assert.Equal(2, SeverityRules.Suggest("fire", "Brand i en soptunna, ingen skadad.", null));

    [Theory]
    [InlineData(true, null, null)]
    [InlineData(null, 6.5, null)]
    [InlineData(null, null, -1.0)]
    public void ImpactOrLoudAudioRaisesSeverity(bool? impact, double? peakG, double? audioPeak) =>
        Assert.Equal(3, SeverityRules.Suggest("traffic", "Två bilar krockade.", new SensorSummary(peakG, null, impact, audioPeak, null)));

    [Fact]
    public void QuietSensorsLeaveSeverityAlone() =>
        Assert.Equal(2, SeverityRules.Suggest("traffic", "Två bilar krockade.", new SensorSummary(1.1, 3, false, -30, -50)));

    [Fact]
    public void NeverLeavesTheOneToFiveScale()
    {
        Assert.Equal(5, SeverityRules.Suggest("weapons", "Skottlossning, en person skjuten och död, grov", new SensorSummary(9, 100, true, 0, -5)));
        Assert.Equal(1, SeverityRules.Suggest("other", "Ingen skadad.", null));
        Assert.Equal(1, SeverityRules.Suggest("no-such-category", "text", null));
    }
}
