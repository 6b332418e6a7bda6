using System.Text.Json;
using Halo.Api.Features.Geo;
using Halo.Api.Features.Incidents;
using Microsoft.Extensions.Time.Testing;

namespace Halo.Api.Tests.Features.Ingestion;

public class PolisenEventParserTests
{
    private static JsonElement Json(string s) => JsonDocument.Parse(s).RootElement.Clone();

    [Fact]
    public void MapsARealEventToAnOfficialIncident()
    {
        var now = new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var raw = SharedData.EventById(371971); // "26 september 14:21, Mord/dråp, försök, Stockholm"
        var r = IngestionFixtures.Parser(new FakeTimeProvider(now)).Parse(raw);

        var i = Assert.IsType<Incident>(r.Incident);
        Assert.Equal(IncidentSources.Polisen, i.Source);
        Assert.Equal("371971", i.ExternalId);
        Assert.Equal("26 september 14:21, Mord/dråp, försök, Stockholm", i.Title);
        Assert.Equal("På Norrmalm och i närheten av en galleria grep ordningsvakter en man.", i.Summary);
        Assert.Equal("Mord/dråp, försök", i.RawType);
        Assert.Equal("violence", i.Category);
        Assert.True(i.IsIncident);
        Assert.True(i.IsVerified);
        Assert.Equal(IncidentStatus.Active, i.Status);
        Assert.Equal(new DateTime(2022, 9, 26, 12, 21, 0, DateTimeKind.Utc), i.OccurredAt);
        Assert.Equal(new DateTime(2022, 9, 26, 13, 55, 23, DateTimeKind.Utc), i.PublishedAt);
        Assert.Equal(59.329324, i.Latitude);
        Assert.Equal(18.068581, i.Longitude);
        Assert.Equal("Stockholm", i.LocationName);
        Assert.Equal("https://polisen.se/aktuellt/handelser/2022/september/26/26-september-1421-morddrap-forsok-stockholm/", i.SourceUrl);
        Assert.Equal(raw.GetRawText(), i.RawPayload);
        Assert.Equal(now.UtcDateTime, i.CreatedAt);
        Assert.Equal(GeoCells.Cell(i.Latitude, i.Longitude, 9), i.H3Res9);
        Assert.Equal(GeoCells.Cell(i.Latitude, i.Longitude, 7), i.H3Res7);
        Assert.InRange(i.LocationPrecisionM, 10_000, 60_000);
    }

    [Fact]
    public void SummariesAreStoredButNotIncidents()
    {
        var summary = SharedData.PolisenEvents.First(e => e.GetProperty("type").GetString() == "Sammanfattning natt");
        var i = IngestionFixtures.Parser().Parse(summary).Incident!;
        Assert.False(i.IsIncident);
        Assert.Equal("Sammanfattning natt", i.RawType);
    }

    [Fact]
    public void EveryRealEventParses()
    {
        var parser = IngestionFixtures.Parser();
        var rejected = SharedData.PolisenEvents.Select(e => parser.Parse(e)).Where(r => r.Incident is null).ToList();
        Assert.True(rejected.Count == 0, string.Join("\n", rejected.Take(10).Select(r => $"{r.ExternalId}: {r.RejectReason}")));
    }

    [Theory]
    [InlineData("""[1,2]""", "not a JSON object")]
    [InlineData("""{"id": "abc", "datetime": "2024-07-01 6:17:27 +02:00"}""", "wrong field type")]
    [InlineData("""{"datetime": "2024-07-01 6:17:27 +02:00", "name": "01 juli 03.17, Brand, Torsås", "type": "Brand", "location": {"name": "Torsås", "gps": "56.41,15.99"}}""", "missing or invalid id")]
    [InlineData("""{"id": 5, "datetime": "igår", "name": "01 juli 03.17, Brand, Torsås", "type": "Brand", "location": {"name": "Torsås", "gps": "56.41,15.99"}}""", "unreadable datetime")]
    [InlineData("""{"id": 5, "datetime": "2024-07-01 6:17:27 +02:00", "name": "", "type": "Brand", "location": {"name": "Torsås", "gps": "56.41,15.99"}}""", "missing name")]
    [InlineData("""{"id": 5, "datetime": "2024-07-01 6:17:27 +02:00", "name": "01 juli 03.17, Brand, Torsås", "location": {"name": "Torsås", "gps": "56.41,15.99"}}""", "missing or oversized type")]
    [InlineData("""{"id": 5, "datetime": "2024-07-01 6:17:27 +02:00", "name": "01 juli 03.17, Brand, Torsås", "type": "Brand", "location": {"name": "Torsås", "gps": "556.41,15.99"}}""", "unreadable location.gps")]
    [InlineData("""{"id": 5, "datetime": "2024-07-01 6:17:27 +02:00", "name": "01 juli 03.17, Brand, Torsås", "type": "Brand"}""", "unreadable location.gps")]
    public void RejectsAMalformedEventWithAReason(string json, string reason)
    {
        var r = IngestionFixtures.Parser().Parse(Json(json));
        Assert.Null(r.Incident);
        Assert.StartsWith(reason, r.RejectReason, StringComparison.Ordinal);
    }

    [Fact]
    public void TitleWithoutEventTimeFallsBackToPublicationTime()
    {
        var r = IngestionFixtures.Parser().Parse(Json("""{"id": 7, "datetime": "2024-07-01 6:17:27 +02:00", "name": "Sammanfattning natt, Torsås", "type": "Sammanfattning natt", "url": "//evil.example/x", "location": {"name": "Torsås", "gps": "56.412638,15.998275"}}"""));
        Assert.Equal(r.Incident!.PublishedAt, r.Incident.OccurredAt);
        Assert.Null(r.Incident.SourceUrl);
    }

    [Fact]
    public void OversizedTextIsClippedToTheColumnLimits()
    {
        var longText = new string('x', 50_000);
        var r = IngestionFixtures.Parser().Parse(Json($$$"""{"id": 8, "datetime": "2024-07-01 6:17:27 +02:00", "name": "01 juli 03.17, {{{longText}}}", "summary": "{{{longText}}}", "type": "Brand", "location": {"name": "Torsås", "gps": "56.412638,15.998275"}}"""));
        Assert.Equal(500, r.Incident!.Title.Length);
        Assert.Equal(10_000, r.Incident.Summary!.Length);
    }
}
