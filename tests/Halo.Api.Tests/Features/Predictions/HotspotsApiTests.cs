using System.Globalization;
using System.Net;
using System.Text.Json;
using Halo.Api.Features.Predictions.Serving;
using Halo.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Halo.Api.Tests.Features.Predictions;

/// <summary>One app with a year of seeded events and a trained risk model, shared by the read-only API tests.</summary>
public sealed class TrainedPredictionsFactory : HaloApiFactory, IAsyncLifetime
{
    public TrainedPredictionsFactory() : base(DbProvider.Sqlite) => this.Fast();

    public string Version { get; private set; } = "";

    public async Task InitializeAsync()
    {
        await PredictionTestData.SeedAsync(this);
        var service = Services.GetRequiredService<RiskModelService>();
        Version = (await service.RetrainAsync(service.NewVersion(), CancellationToken.None)).Version;
    }

    Task IAsyncLifetime.DisposeAsync() => Task.CompletedTask;
}

public sealed class HotspotsApiTests(TrainedPredictionsFactory factory) : IClassFixture<TrainedPredictionsFactory>
{
    private const string Stockholm = "bbox=17.90,59.25,18.25,59.42";

    private async Task<JsonElement> Get(string query, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var response = await factory.CreateClient().GetAsync("/api/v1/predictions/" + query);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{query}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    [Fact]
    public async Task GeoJsonIsAFeatureCollectionOfClosedLonLatPolygonsWithTheEnvelope()
    {
        var response = await factory.CreateClient().GetAsync($"/api/v1/predictions/hotspots?{Stockholm}&format=geojson&limit=50");
        Assert.Equal("application/geo+json", response.Content.Headers.ContentType?.MediaType);
        var fc = await response.ReadJsonAsync();
        Assert.Equal("FeatureCollection", fc.GetProperty("type").GetString());
        Assert.Equal(factory.Version, fc.GetProperty("model_version").GetString());
        Assert.True(fc.TryGetProperty("computed_at", out _));
        var levels = fc.GetProperty("levels").EnumerateArray().Select(l => l.GetProperty("level").GetString()).ToList();
        Assert.Equal(["low", "medium", "high", "critical"], levels);
        var features = fc.GetProperty("features").EnumerateArray().ToList();
        Assert.InRange(features.Count, 1, 50);
        foreach (var f in features)
        {
            Assert.Equal("Feature", f.GetProperty("type").GetString());
            var geometry = f.GetProperty("geometry");
            Assert.Equal("Polygon", geometry.GetProperty("type").GetString());
            var ring = geometry.GetProperty("coordinates")[0].EnumerateArray().Select(p => (Lon: p[0].GetDouble(), Lat: p[1].GetDouble())).ToList();
            Assert.True(ring.Count >= 7, "a hexagon ring has 6 vertices plus the closing one");
            Assert.Equal(ring[0], ring[^1]);
            Assert.All(ring, p => { Assert.InRange(p.Lon, 17.8, 18.4); Assert.InRange(p.Lat, 59.2, 59.5); });
            var props = f.GetProperty("properties");
            Assert.InRange(props.GetProperty("risk_score").GetDouble(), 0, 1);
            Assert.Contains(props.GetProperty("risk_level").GetString(), levels);
            Assert.InRange(props.GetProperty("probability_any").GetDouble(), 0, 1);
            Assert.True(props.GetProperty("expected_count").GetDouble() > 0);
            Assert.True(props.GetProperty("factors").GetArrayLength() > 0);
            Assert.Equal(15, props.GetProperty("h3").GetString()!.Length);
            Assert.True(props.TryGetProperty("prediction_time", out _));
        }
    }

    [Fact]
    public async Task HoursAheadShiftsThePredictionTimeFromTheCurrentHour()
    {
        var now = factory.Clock.GetUtcNow().UtcDateTime;
        var hour0 = await Get($"hotspots?{Stockholm}&hours_ahead=0");
        var hour5 = await Get($"hotspots?{Stockholm}&hours_ahead=5");
        var t0 = hour0.GetProperty("prediction_time").GetDateTime().ToUniversalTime();
        var t5 = hour5.GetProperty("prediction_time").GetDateTime().ToUniversalTime();
        Assert.Equal(new DateTime(now.Year, now.Month, now.Day, now.Hour, 0, 0, DateTimeKind.Utc), t0);
        Assert.Equal(TimeSpan.FromHours(5), t5 - t0);
        Assert.All(hour5.GetProperty("cells").EnumerateArray(), c => Assert.Equal(t5, c.GetProperty("prediction_time").GetDateTime().ToUniversalTime()));
        // The seeded events favour evenings: the hour profile must make the hours differ.
        var e0 = hour0.GetProperty("cells")[0].GetProperty("expected_count").GetDouble();
        var e5 = hour5.GetProperty("cells")[0].GetProperty("expected_count").GetDouble();
        Assert.NotEqual(e0, e5);
    }

    [Fact]
    public async Task LimitMinRiskCircleAndResolutionFilter()
    {
        var limited = await Get($"hotspots?{Stockholm}&limit=3");
        var cells = limited.GetProperty("cells").EnumerateArray().ToList();
        Assert.Equal(3, cells.Count);
        var expected = cells.Select(c => c.GetProperty("expected_count").GetDouble()).ToList();
        Assert.Equal(expected.OrderByDescending(x => x), expected);

        var all = (await Get($"hotspots?{Stockholm}&limit=1000")).GetProperty("cells").EnumerateArray().ToList();
        var risky = (await Get($"hotspots?{Stockholm}&limit=1000&min_risk=0.5")).GetProperty("cells").EnumerateArray().ToList();
        Assert.All(risky, c => Assert.True(c.GetProperty("risk_score").GetDouble() >= 0.5));
        Assert.True(risky.Count < all.Count, "min_risk must drop the quiet cells");

        var inv = CultureInfo.InvariantCulture;
        var near = (await Get(string.Create(inv, $"hotspots?lat={PredictionTestData.HotLat}&lon={PredictionTestData.HotLon}&radius_km=0.3")))
            .GetProperty("cells").EnumerateArray().ToList();
        Assert.NotEmpty(near);
        Assert.True(near.Count < all.Count);
        Assert.Empty((await Get("hotspots?lat=57.70&lon=11.97&radius_km=1")).GetProperty("cells").EnumerateArray());

        var coarse = (await Get($"hotspots?{Stockholm}&resolution=6&limit=1000")).GetProperty("cells").EnumerateArray().ToList();
        Assert.All(coarse, c => Assert.Equal(6, c.GetProperty("resolution").GetInt32()));
        Assert.True(coarse.Count < all.Count);
        // Parents add their children's expected counts.
        Assert.Equal(all.Sum(c => c.GetProperty("expected_count").GetDouble()), coarse.Sum(c => c.GetProperty("expected_count").GetDouble()), 3);
    }

    [Fact]
    public async Task TheHotCellNamesItsRecentNearbyEventsAndHourProfileAmongItsFactors()
    {
        var hot = Halo.H3.H3.LatLngToCell(PredictionTestData.HotLat, PredictionTestData.HotLon, 8).ToString();
        var cell = await Get($"cell/{hot}");
        Assert.Equal(24, cell.GetProperty("hours").GetArrayLength());
        var factors = cell.GetProperty("factors").EnumerateArray().Select(f => f.GetString()!).ToList();
        Assert.Contains(factors, f => f.Contains("in the last 48 h", StringComparison.Ordinal) && f.Contains("assault", StringComparison.Ordinal));
        var hours = cell.GetProperty("hours").EnumerateArray().ToList();
        Assert.Equal(Enumerable.Range(0, 24), hours.Select(h => h.GetProperty("hours_ahead").GetInt32()));
        Assert.All(hours, h => Assert.InRange(h.GetProperty("risk_score").GetDouble(), 0, 1));
    }

    [Theory]
    [InlineData("geojson")]
    [InlineData("json")]
    public async Task ASummaryKeepsWhatTheMapDrawsAndTheCellGivesTheFactorsOfTheHourShown(string format)
    {
        var full = await Get($"hotspots?{Stockholm}&format={format}&hours_ahead=5&limit=20");
        var summary = await Get($"hotspots?{Stockholm}&format={format}&hours_ahead=5&limit=20&detail=summary");
        var cells = format == "geojson" ? "features" : "cells";
        var f = full.GetProperty(cells).EnumerateArray().ToList();
        var s = summary.GetProperty(cells).EnumerateArray().ToList();
        Assert.NotEmpty(s);
        Assert.Equal(f.Count, s.Count);
        for (var i = 0; i < f.Count; i++)
        {
            var a = format == "geojson" ? f[i].GetProperty("properties") : f[i];
            var b = format == "geojson" ? s[i].GetProperty("properties") : s[i];
            foreach (var name in new[] { "h3", "risk_score", "risk_level", "expected_count", "expected_count_display", "prediction_time", "support" })
                Assert.Equal(a.GetProperty(name).ToString(), b.GetProperty(name).ToString());
            Assert.False(b.TryGetProperty("factors", out _));
            Assert.False(b.TryGetProperty("factor_details", out _));
            // support_area only where there is one (a coarse-only cell, which a map draws as that area).
            Assert.Equal(a.GetProperty("support_area").ValueKind == JsonValueKind.Null, !b.TryGetProperty("support_area", out _));
            if (format == "geojson") Assert.Equal(f[i].GetProperty("geometry").ToString(), s[i].GetProperty("geometry").ToString());
            else Assert.Equal(a.GetProperty("boundary").ToString(), b.GetProperty("boundary").ToString());

            // A tap asks the cell for the factors the full list carries for that hour.
            var cell = await Get($"cell/{b.GetProperty("h3").GetString()}?hours_ahead=5");
            Assert.Equal(a.GetProperty("factors").ToString(), cell.GetProperty("factors").ToString());
        }
        Assert.True(summary.ToString().Length * 2 < full.ToString().Length, $"summary {summary.ToString().Length} chars, full {full.ToString().Length}");
    }

    [Fact]
    public async Task CellAnswers400ForGarbageAnd404OutsideTheActiveArea()
    {
        await Get("cell/not-a-cell", HttpStatusCode.BadRequest);
        await Get("cell/" + Halo.H3.H3.LatLngToCell(67.85, 20.22, 8), HttpStatusCode.NotFound);
        var parent = Halo.H3.H3.LatLngToCell(PredictionTestData.HotLat, PredictionTestData.HotLon, 6).ToString();
        Assert.Equal(6, (await Get($"cell/{parent}")).GetProperty("resolution").GetInt32());
    }

    [Theory]
    [InlineData("hotspots?bbox=17.9,59.2,18.2,59.4&hours_ahead=24", "hours_ahead")]
    [InlineData("hotspots?bbox=17.9,59.2,18.2,59.4&limit=5000", "limit")]
    [InlineData("hotspots?bbox=17.9,59.2,18.2,59.4&min_risk=2", "min_risk")]
    [InlineData("hotspots?bbox=17.9,59.2,18.2,59.4&resolution=9", "resolution")]
    [InlineData("hotspots?bbox=17.9,59.2,18.2,59.4&format=xml", "format")]
    [InlineData("hotspots?bbox=17.9,59.2,18.2,59.4&detail=some", "detail")]
    [InlineData("cell/881f1d4b0bfffff?hours_ahead=-1", "hours_ahead")]
    [InlineData("hotspots?bbox=1,2,3", "bbox")]
    [InlineData("hotspots?bbox=18.2,59.2,17.9,59.4", "bbox")]
    [InlineData("hotspots", "bbox")]
    [InlineData("hotspots?lat=59.3&lon=18", "radius_km")]
    [InlineData("hotspots?lat=NaN&lon=18&radius_km=1", "lat")]
    public async Task BadQueriesGetAValidationProblemNamingTheField(string query, string field)
    {
        var problem = await Get(query, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task MetricsNameTheServingModelAndItsValidation()
    {
        var m = await Get("metrics");
        Assert.Equal(factory.Version, m.GetProperty("model_version").GetString());
        Assert.False(string.IsNullOrEmpty(m.GetProperty("why_chosen").GetString()));
        Assert.Equal(Halo.Api.Features.Predictions.Model.RiskTrainer.Candidates().Count, m.GetProperty("validation").GetArrayLength());
        Assert.True(m.GetProperty("active_cells").GetInt32() > 0);
    }

    [Fact]
    public async Task TheSnapshotRollsForwardWhenTheHourTurns()
    {
        var service = factory.Services.GetRequiredService<RiskModelService>();
        var before = service.Current!.Origin;
        factory.Clock.Advance(TimeSpan.FromHours(1));
        for (var i = 0; i < 200 && service.Current!.Origin == before; i++) await Task.Delay(50);
        Assert.Equal(before.AddHours(1), service.Current!.Origin);
        var json = await Get($"hotspots?{Stockholm}");
        Assert.Equal(before.AddHours(1), json.GetProperty("prediction_time").GetDateTime().ToUniversalTime());
    }

    [Fact]
    public async Task TheReportCardComparesTheServedModelWithTheBestNaiveForecastFromItsRegistryRow()
    {
        var card = await Get("report-card");
        var metrics = await Get("metrics");
        Assert.Equal(metrics.GetProperty("model_version").GetString(), card.GetProperty("model_version").GetString());
        var served = card.GetProperty("served");
        var name = served.GetProperty("name").GetString();
        Assert.Equal(metrics.GetProperty("model_name").GetString(), name);
        var validation = metrics.GetProperty("validation").EnumerateArray().ToList();
        var own = validation.Single(v => v.GetProperty("name").GetString() == name);
        Assert.Equal(own.GetProperty("pai_at").GetProperty("5").GetDouble(), served.GetProperty("pai5").GetDouble());
        Assert.Equal(own.GetProperty("hit_rate_at").GetProperty("5").GetDouble(), served.GetProperty("hit_rate5").GetDouble());
        // The best naive forecast is the best PAI@5 among the other naive candidates.
        var naive = card.GetProperty("best_naive");
        var bestOther = validation.Where(v => v.GetProperty("name").GetString() is var n && n != name && n != "fasttree_tweedie")
            .Max(v => v.GetProperty("pai_at").GetProperty("5").GetDouble());
        Assert.Equal(bestOther, naive.GetProperty("pai5").GetDouble());
        Assert.Equal(4, card.GetProperty("windows").GetArrayLength());
        Assert.True(card.GetProperty("validation_events").GetDouble() > 0);
        Assert.Equal(metrics.GetProperty("trained_at").GetDateTime(), card.GetProperty("trained_at").GetDateTime());
    }

    [Fact]
    public async Task EveryHotspotCarriesStructuredFactorsDisplayStringsAndItsSupport()
    {
        var body = await Get("hotspots?" + Stockholm + "&limit=1000");
        foreach (var c in body.GetProperty("cells").EnumerateArray())
        {
            var e = c.GetProperty("expected_count").GetDouble();
            Assert.Equal(Halo.Api.Features.Predictions.RiskMath.ExpectedDisplay(e), c.GetProperty("expected_count_display").GetString());
            Assert.Equal(c.GetProperty("factors").GetArrayLength(), c.GetProperty("factor_details").GetArrayLength());
            foreach (var f in c.GetProperty("factor_details").EnumerateArray()) Assert.False(string.IsNullOrEmpty(f.GetProperty("kind").GetString()));
            // The seeded events are all street-level: every cell with a forecast of its own is fine-supported.
            Assert.Contains(c.GetProperty("support").GetString(), new[] { "fine", "background" });
            Assert.Equal(8, c.GetProperty("support_resolution").GetInt32());
            Assert.Equal(System.Text.Json.JsonValueKind.Null, c.GetProperty("support_area").ValueKind);
        }
    }
}
