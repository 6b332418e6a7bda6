using Halo.Api.Features.Geo;

namespace Halo.Api.Tests.Features.Ingestion;

public class SwedishAreasTests
{
    private static SwedishAreas Areas => IngestionFixtures.Areas;

    [Fact]
    public void Loads290MunicipalitiesAnd21Counties()
    {
        Assert.Equal(290, Areas.Municipalities.Count);
        Assert.Equal(21, Areas.Counties.Count);
    }

    [Fact]
    public void EveryLocationNameInTheSharedDataIsAKnownAreaContainingItsPoint()
    {
        var misses = new List<string>();
        foreach (var g in SharedData.PolisenEvents.GroupBy(e => e.GetProperty("location").GetProperty("name").GetString()!))
        {
            var area = Areas.Find(g.Key);
            if (area is null) { misses.Add(g.Key + ": unknown"); continue; }
            Assert.Equal(g.Key.EndsWith(" län", StringComparison.Ordinal) ? SwedishAreaKind.County : SwedishAreaKind.Municipality, area.Kind);
            var gps = g.First().GetProperty("location").GetProperty("gps").GetString()!.Split(',');
            var (lat, lon) = (double.Parse(gps[0], System.Globalization.CultureInfo.InvariantCulture), double.Parse(gps[1], System.Globalization.CultureInfo.InvariantCulture));
            // The police centroid lies inside (or, for ragged coasts, within a few km of) the simplified polygon.
            if (!area.Contains(lat, lon) && Areas.MunicipalityAt(lat, lon)?.CountyCode != area.CountyCode)
                misses.Add($"{g.Key}: point {lat},{lon} outside");
        }
        Assert.True(misses.Count == 0, string.Join("\n", misses));
    }

    [Theory]
    [InlineData("Upplands väsby", "0114")]
    [InlineData("Upplands Väsby", "0114")]
    [InlineData("  upplands-bro ", "0139")]
    [InlineData("Dals-ed", "1438")]
    [InlineData("Stockholms län", "01")]
    [InlineData("Gotlands län", "09")]
    public void FindsAreasIgnoringCaseAndWhitespace(string name, string code) => Assert.Equal(code, Areas.Find(name)?.Code);

    [Fact]
    public void CountyPrecisionIsWiderThanItsMunicipalities()
    {
        // Real centroids: Stockholm municipality and Stockholms län.
        var municipality = Areas.PrecisionM("Stockholm", 59.329324, 18.068581);
        var county = Areas.PrecisionM("Stockholms län", 59.329324, 18.068581);
        var kiruna = Areas.PrecisionM("Kiruna", 67.8558, 20.2253);
        Assert.InRange(municipality, 10_000, 40_000);
        Assert.True(county > 2 * municipality, $"county {county} vs municipality {municipality}");
        Assert.True(kiruna > 100_000, $"Kiruna {kiruna}");
    }

    [Fact]
    public void PrecisionCoversEveryVertexOfTheArea()
    {
        var area = Areas.Find("Lund")!;
        var r = Areas.PrecisionM("Lund", 55.704, 13.191);
        Assert.Equal(Math.Round(area.MaxDistanceM(55.704, 13.191)), r);
    }

    [Fact]
    public void UnknownAreaNameFallsBackToTheMunicipalityContainingThePoint()
    {
        Assert.Equal(Areas.PrecisionM("Lund", 55.704, 13.191), Areas.PrecisionM("Lunds centrum", 55.704, 13.191));
        Assert.Equal(SwedishAreas.UnknownAreaPrecisionM, Areas.PrecisionM("Atlantis", 0, 0));
    }

    [Fact]
    public void PointInPolygonHonoursHoles()
    {
        // GeoJSON is [lon, lat]: a 10x10 square with a 2x2 hole in the middle.
        var square = new SwedishArea(SwedishAreaKind.Municipality, "0000", "Square", "00",
            GeoShapes.ReadGeometry("""{"type":"Polygon","coordinates":[[[0,0],[10,0],[10,10],[0,10],[0,0]],[[4,4],[6,4],[6,6],[4,6],[4,4]]]}"""));
        Assert.True(square.Contains(2, 2));
        Assert.False(square.Contains(5, 5));
        Assert.False(square.Contains(11, 5));
        Assert.False(Areas.Find("Stockholm")!.Contains(55.704, 13.191));
        Assert.True(Areas.Find("Lund")!.Contains(55.704, 13.191));
    }
}
