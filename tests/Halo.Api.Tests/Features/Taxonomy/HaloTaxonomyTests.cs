using Microsoft.Extensions.Logging;
using Halo.Api.Features.Taxonomy;
using Halo.Api.Tests.Features.Ingestion;

namespace Halo.Api.Tests.Features.Taxonomy;

public class HaloTaxonomyTests
{
    private static IEnumerable<string> SharedTypes() =>
        SharedData.PolisenEvents.Select(e => e.GetProperty("type").GetString()!).Distinct();

    [Fact]
    public void EveryPoliceTypeInTheSharedDataIsMapped()
    {
        var unmapped = SharedTypes().Where(t => !HaloTaxonomy.IsKnownPolisenType(t)).ToList();
        Assert.True(unmapped.Count == 0, "Unmapped police types: " + string.Join(" | ", unmapped));
    }

    [Fact]
    public void EveryPoliceTypeMapsToAKnownCategoryAndSeverityInRange()
    {
        foreach (var type in SharedTypes())
        {
            var m = HaloTaxonomy.MapPolisenType(type);
            Assert.True(HaloTaxonomy.IsKnown(m.Category), $"{type} -> unknown category {m.Category}");
            Assert.InRange(m.Severity, 1, 5);
        }
    }

    [Fact]
    public void CaseAndWhitespaceVariantsOfSharedTypesMapLikeTheOriginal()
    {
        foreach (var type in SharedTypes())
        {
            var expected = HaloTaxonomy.MapPolisenType(type);
            foreach (var variant in new[] { type.ToUpperInvariant(), type.ToLowerInvariant(), "  " + type + " ", type.Replace(" ", "  ", StringComparison.Ordinal) })
                Assert.Equal(expected, HaloTaxonomy.MapPolisenType(variant));
        }
    }

    [Theory]
    [InlineData("Sammanfattning natt")]
    [InlineData("Sammanfattning kväll och natt")]
    [InlineData("Sammanfattning vecka")]
    [InlineData("Uppdatering")]
    [InlineData("Övrigt")]
    [InlineData("Polisinsats/kommendering")]
    [InlineData("Pressmeddelande")]
    [InlineData("Information")]
    public void SummariesAndNoticesAreNotIncidents(string type) =>
        Assert.False(HaloTaxonomy.MapPolisenType(type).IsIncident);

    [Theory]
    [InlineData("Skottlossning", "weapons")]
    [InlineData("Mord/dråp, försök", "violence")]
    [InlineData("Rån väpnat", "robbery")]
    [InlineData("Stöld/inbrott", "burglary")]
    [InlineData("Motorfordon, stöld", "vehicle_crime")]
    [InlineData("Trafikolycka, vilt", "traffic")]
    [InlineData("Lagen om hundar och katter ", "other")]
    public void RealTypesMapToTheDocumentedCategory(string type, string category)
    {
        var m = HaloTaxonomy.MapPolisenType(type);
        Assert.Equal(category, m.Category);
        Assert.True(m.IsIncident);
    }

    [Fact]
    public void UnknownTypeMapsToOtherAndIsLoggedOnce()
    {
        var type = "Helt ny händelsetyp " + Guid.NewGuid().ToString("N");
        var logger = new ListLogger<HaloTaxonomyTests>();
        var first = HaloTaxonomy.MapPolisenType(type, logger);
        HaloTaxonomy.MapPolisenType(type, logger);
        HaloTaxonomy.MapPolisenType(type.ToUpperInvariant(), logger);
        Assert.Equal(HaloTaxonomy.Other, first.Category);
        Assert.True(first.IsIncident);
        Assert.Single(logger.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains(type, StringComparison.Ordinal));
    }

    [Fact]
    public void TaxonomyHasFifteenCategoriesWithSeveritiesOneToFive()
    {
        Assert.Equal(15, HaloTaxonomy.Categories.Count);
        Assert.All(HaloTaxonomy.Categories, c => Assert.InRange(c.DefaultSeverity, 1, 5));
        Assert.All(HaloTaxonomy.RelatedPairs, p => Assert.True(HaloTaxonomy.IsKnown(p.A) && HaloTaxonomy.IsKnown(p.B)));
    }
}
