using System.Globalization;
using Halo.Api.Data;
using Halo.Api.Features.Geo;
using Halo.Api.Features.Incidents;
using Halo.Api.Features.Ingestion;
using Halo.Api.Features.Ingestion.Geocoding;
using Halo.Api.Features.Ingestion.Polisen;
using Halo.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;


namespace Halo.Api.Tests.Features.Ingestion;

public class LocationRefinerTests
{
    [Theory]
    // Real summaries from the shared data.
    [InlineData("Misshandel med kniv på Norra Bantorget.", "Stockholm", "Norra Bantorget")]
    [InlineData("Skottlossning i Ronna. En man skadas.", "Södertälje", "Ronna")]
    [InlineData("På Norrmalm och i närheten av en galleria grep ordningsvakter en man.", "Stockholm", "")]
    [InlineData("Brand i lägenhet på Norra Grängesbergsgatan i Malmö.", "Malmö", "Norra Grängesbergsgatan")]
    [InlineData("Bilbrand vid Stortorget, sedan på Kungsgatan.", "Göteborg", "Stortorget|Kungsgatan")]
    [InlineData("En man blir skjuten i Haninge centrum.", "Haninge", "")]
    [InlineData(null, "Lund", "")]
    public void FindsStreetAndPlaceNamesInSummaries(string? summary, string municipality, string expected) =>
        Assert.Equal(expected.Length == 0 ? [] : expected.Split('|'), PlaceNameExtractor.Candidates(summary, municipality));

    private static Dictionary<string, string?> Settings(string? geocodingUrl) => new()
    {
        ["Geocoding:Url"] = geocodingUrl,
        ["Geocoding:MinCallInterval"] = "00:00:00",
    };

    private static string Nominatim(double lat, double lon, string name) =>
        $$"""[{"place_id": 1, "lat": "{{lat.ToString(CultureInfo.InvariantCulture)}}", "lon": "{{lon.ToString(CultureInfo.InvariantCulture)}}", "display_name": "{{name}}", "boundingbox": ["59.3340", "59.3352", "18.0560", "18.0590"]}]""";

    /// <summary>Imports real event 372231 ("Misshandel med kniv på Norra Bantorget.", Stockholm), republished just now.</summary>
    private static async Task<Incident> ImportRecentEventAsync(IServiceProvider services)
    {
        var raw = SharedData.EventById(372231).GetRawText().Replace("2022-09-28 20:07:54 +02:00",
            DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(1)).ToString("yyyy-MM-dd H:mm:ss zzz", CultureInfo.InvariantCulture), StringComparison.Ordinal);
        using var scope = services.CreateScope();
        var parser = scope.ServiceProvider.GetRequiredService<PolisenEventParser>();
        using var doc = System.Text.Json.JsonDocument.Parse(raw);
        var parsed = parser.Parse(doc.RootElement.Clone());
        await scope.ServiceProvider.GetRequiredService<IncidentImporter>().UpsertBatchAsync(IncidentSources.Polisen, [parsed.Incident!], CancellationToken.None);
        return parsed.Incident!;
    }

    [Fact]
    public async Task RefinesAPositionInsideTheMunicipalityAndKeepsTheOriginal()
    {
        await using var nominatim = await FakeHttpServer.StartAsync();
        nominatim.Default = FakeHttpServer.Json(Nominatim(59.33457, 18.05752, "Norra Bantorget, Norrmalm, Stockholm"));
        await using var app = IngestionApi.Create(Settings(nominatim.BaseUrl));
        app.CreateClient().Dispose();
        var original = await ImportRecentEventAsync(app.Services);

        using var scope = app.Services.CreateScope();
        Assert.Equal(1, await scope.ServiceProvider.GetRequiredService<LocationRefiner>().RefineRecentAsync(CancellationToken.None));

        var db = scope.ServiceProvider.GetRequiredService<HaloDbContext>();
        var row = await db.Incidents.AsNoTracking().SingleAsync(i => i.ExternalId == "372231");
        Assert.Equal((59.33457, 18.05752), (row.Latitude, row.Longitude));
        Assert.InRange(row.LocationPrecisionM, 50, 200);
        var geocode = await db.Set<IncidentGeocode>().SingleAsync(g => g.IncidentId == row.Id);
        Assert.Equal(GeocodeOutcome.Refined, geocode.Outcome);
        Assert.Equal((original.Latitude, original.Longitude, original.LocationPrecisionM), (geocode.OriginalLatitude, geocode.OriginalLongitude, geocode.OriginalPrecisionM));
        Assert.Equal("Norra Bantorget, Stockholm", geocode.Query);

        var request = Assert.Single(nominatim.Requests);
        Assert.Contains("q=Norra%20Bantorget%2C%20Stockholm", request.PathAndQuery, StringComparison.Ordinal);
        Assert.Contains("bounded=1", request.PathAndQuery, StringComparison.Ordinal);
        Assert.StartsWith("Halo/", request.UserAgent, StringComparison.Ordinal);

        // Tried once: a second pass looks nothing up.
        Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<LocationRefiner>().RefineRecentAsync(CancellationToken.None));
        Assert.Single(nominatim.Requests);
    }

    [Fact]
    public async Task AHitOutsideTheMunicipalityIsIgnored()
    {
        await using var nominatim = await FakeHttpServer.StartAsync();
        nominatim.Default = FakeHttpServer.Json(Nominatim(57.7089, 11.9746, "Norra Bantorget, Göteborg")); // wrong city
        await using var app = IngestionApi.Create(Settings(nominatim.BaseUrl));
        app.CreateClient().Dispose();
        var original = await ImportRecentEventAsync(app.Services);

        using var scope = app.Services.CreateScope();
        Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<LocationRefiner>().RefineRecentAsync(CancellationToken.None));
        var db = scope.ServiceProvider.GetRequiredService<HaloDbContext>();
        var row = await db.Incidents.AsNoTracking().SingleAsync(i => i.ExternalId == "372231");
        Assert.Equal((original.Latitude, original.Longitude, original.LocationPrecisionM), (row.Latitude, row.Longitude, row.LocationPrecisionM));
        Assert.Equal(GeocodeOutcome.NotFound, (await db.Set<IncidentGeocode>().SingleAsync()).Outcome);
    }

    [Fact]
    public async Task AnEditedEventGetsItsAreaPositionBackAndIsRefinedAgain()
    {
        await using var nominatim = await FakeHttpServer.StartAsync();
        nominatim.Default = FakeHttpServer.Json(Nominatim(59.33457, 18.05752, "Norra Bantorget"));
        await using var app = IngestionApi.Create(Settings(nominatim.BaseUrl));
        app.CreateClient().Dispose();
        var original = await ImportRecentEventAsync(app.Services);
        using var scope = app.Services.CreateScope();
        await scope.ServiceProvider.GetRequiredService<LocationRefiner>().RefineRecentAsync(CancellationToken.None);

        var edited = original.RawPayload!.Replace("Norra Bantorget.", "Norra Bantorget. En man gripen.", StringComparison.Ordinal);
        using var doc = System.Text.Json.JsonDocument.Parse(edited);
        var parsed = scope.ServiceProvider.GetRequiredService<PolisenEventParser>().Parse(doc.RootElement.Clone());
        await scope.ServiceProvider.GetRequiredService<IncidentImporter>().UpsertBatchAsync(IncidentSources.Polisen, [parsed.Incident!], CancellationToken.None);

        var db = scope.ServiceProvider.GetRequiredService<HaloDbContext>();
        Assert.Equal(original.Latitude, (await db.Incidents.AsNoTracking().SingleAsync()).Latitude);
        Assert.Empty(await db.Set<IncidentGeocode>().ToListAsync());
        Assert.Equal(1, await scope.ServiceProvider.GetRequiredService<LocationRefiner>().RefineRecentAsync(CancellationToken.None));
    }

    [Fact]
    public async Task GeocoderDownLeavesEventsUntriedForTheNextPoll()
    {
        await using var nominatim = await FakeHttpServer.StartAsync();
        nominatim.Default = FakeHttpServer.Status(StatusCodes.Status503ServiceUnavailable);
        using var app = new LogCapturingApiFactory(DbProvider.Sqlite) { UseRealClock = true };
        foreach (var (k, v) in Settings(nominatim.BaseUrl)) app.With(k, v);
        app.CreateClient().Dispose();
        await ImportRecentEventAsync(app.Services);
        using var scope = app.Services.CreateScope();
        Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<LocationRefiner>().RefineRecentAsync(CancellationToken.None));
        Assert.Empty(await scope.ServiceProvider.GetRequiredService<HaloDbContext>().Set<IncidentGeocode>().ToListAsync());

        // An outside fault: one warning that says what failed, with no stack trace, and nothing at Error.
        var warning = Assert.Single(app.Logs.Entries, e => e.Category == typeof(LocationRefiner).FullName && e.Level == LogLevel.Warning);
        Assert.Null(warning.Exception);
        Assert.Contains("503", warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(app.Logs.Entries, e => e.Level >= LogLevel.Error);
    }

    [Fact]
    public async Task WithoutAGeocodingUrlNothingIsLookedUp()
    {
        await using var app = IngestionApi.Create(Settings(null));
        app.CreateClient().Dispose();
        await ImportRecentEventAsync(app.Services);
        using var scope = app.Services.CreateScope();
        var refiner = scope.ServiceProvider.GetRequiredService<LocationRefiner>();
        Assert.False(refiner.IsEnabled);
        Assert.Equal(0, await refiner.RefineRecentAsync(CancellationToken.None));
        Assert.Empty(await scope.ServiceProvider.GetRequiredService<HaloDbContext>().Set<IncidentGeocode>().ToListAsync());
    }

    [Fact]
    public void RefinedPointsMustLieInTheMunicipalityPolygon()
    {
        var stockholm = IngestionFixtures.Areas.Find("Stockholm")!;
        Assert.Equal(SwedishAreaKind.Municipality, stockholm.Kind);
        Assert.True(stockholm.Contains(59.33457, 18.05752));
        Assert.False(stockholm.Contains(57.7089, 11.9746));
    }
}
