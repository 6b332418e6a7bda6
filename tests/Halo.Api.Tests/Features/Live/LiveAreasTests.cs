using Halo.Api.Features.Live;

namespace Halo.Api.Tests.Features.Live;

public sealed class LiveAreasTests
{
    [Fact]
    public void OfABoxTooLargeTheMiddleAboutTheSameCentreIsCoveredWithinTheLimit()
    {
        var sweden = new LiveArea(55, 10, 69, 24);
        var (watched, cover) = LiveAreas.CoverOrMiddle(sweden, 64)!.Value;
        Assert.Null(LiveAreas.Cover(sweden, 64));
        Assert.Equal(LiveAreas.CoarsestResolution, cover.Resolution);
        Assert.InRange(cover.Cells.Length, 1, 64);
        Assert.Equal(62, (watched.MinLat + watched.MaxLat) / 2, 9);
        Assert.Equal(17, (watched.MinLon + watched.MaxLon) / 2, 9);
        Assert.True(watched.MinLat > 55 && watched.MaxLat < 69 && watched.MinLon > 10 && watched.MaxLon < 24, watched.ToString());
        // Halved no further than needed: twice the watched box would not have fitted.
        double h = watched.MaxLat - watched.MinLat, w = watched.MaxLon - watched.MinLon;
        Assert.Null(LiveAreas.Cover(new LiveArea(62 - h, 17 - w, 62 + h, 17 + w), 64));
        Assert.Contains(Halo.H3.H3.LatLngToCell(62, 17, cover.Resolution).Value, cover.Cells);
    }

    [Fact]
    public void ABoxThatFitsIsCoveredAsItIs()
    {
        var stockholm = new LiveArea(59.2, 17.8, 59.5, 18.3);
        var (watched, cover) = LiveAreas.CoverOrMiddle(stockholm, 64)!.Value;
        Assert.Same(stockholm, watched);
        Assert.Equal(LiveAreas.Cover(stockholm, 64)!.Value.Cells, cover.Cells);
    }

    [Fact]
    public void TheWholeGlobeAndPointsAnywhereFitTheSmallestAllowedLimit()
    {
        var min = LiveOptions.MinGroupsPerConnection;
        Assert.NotNull(LiveAreas.CoverOrMiddle(new LiveArea(-90, -180, 90, 180), min));
        var random = new Random(7);
        for (var i = 0; i < 2000; i++)
        {
            double lat = random.NextDouble() * 170 - 85, lon = random.NextDouble() * 358 - 179;
            var point = new LiveArea(lat, lon, lat, lon);
            Assert.True(LiveAreas.CoverOrMiddle(point, min) is not null, $"{lat}, {lon}");
        }
    }
}
