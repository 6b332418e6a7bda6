using Halo.Api.Features.Classification;

namespace Halo.Api.Tests.Features.Classification;

public sealed class ClassificationTextTests
{
    [Theory]
    [InlineData("26 september 14:21, Mord/dråp, försök, Stockholm", "Mord/dråp, försök", "Stockholm")]
    [InlineData("02 april 12:36, Trafikkontroll, Norrbottens län", "Trafikkontroll", "Norrbottens län")]
    [InlineData("4 december 9.33, Trafikolycka, vilt, Jämtlands län", "Trafikolycka, vilt", "Jämtlands län")]
    // The archive has titles whose type differs from the type field: keep only the location.
    [InlineData("07 september 00.38, Detonation, Malmö", "Explosion", "Malmö")]
    public void TypeFreeTitleKeepsOnlyTheLocation(string title, string type, string expected) =>
        Assert.Equal(expected, ClassificationText.TypeFreeTitle(title, type));

    [Fact]
    public void PoliceTextNeverContainsTheType()
    {
        var text = ClassificationText.ForPoliceEvent("28 september 21:05, Mord/dråp, försök, Södertälje",
            "Skottlossning i Ronna. En man skadas.", "Mord/dråp, försök", includeLocation: true);
        Assert.Equal("Skottlossning i Ronna. En man skadas. Södertälje", text);
        Assert.DoesNotContain("dråp", text, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("Skottlossning i Ronna. En man skadas.",
            ClassificationText.ForPoliceEvent("28 september 21:05, Mord/dråp, försök, Södertälje", "Skottlossning i Ronna. En man skadas.", "Mord/dråp, försök"));
    }
}
