using System.Globalization;
using System.Text.Json;
using Halo.Api.Features.Predictions;
using Halo.Api.Features.Predictions.Model;
using Halo.Api.Features.Predictions.Serving;
using Halo.H3;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using HttpJsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace Halo.Api.Tests.Features.Predictions;

/// <summary>
/// The hotspots endpoint writes its JSON by hand from the snapshot's cached per-cell JSON. These tests hold it to the
/// bytes the DTO serialisation wrote before (a reference copy of that code below), over the filters and hours.
/// </summary>
public sealed class HotspotsWireFormatTests(TrainedPredictionsFactory factory) : IClassFixture<TrainedPredictionsFactory>
{
    private const string Box = "bbox=17.90,59.25,18.25,59.42";

    public static TheoryData<string> Queries() =>
    [
        Box,
        Box + "&hours_ahead=0&limit=1000",
        Box + "&hours_ahead=5&limit=7",
        Box + "&hours_ahead=23&min_risk=0.3",
        Box + "&min_risk=0.999",
        Box + "&resolution=6&limit=1000",
        Box + "&resolution=7&hours_ahead=2&limit=5",
        string.Create(CultureInfo.InvariantCulture, $"lat={PredictionTestData.HotLat}&lon={PredictionTestData.HotLon}&radius_km=1.5&limit=1000"),
        string.Create(CultureInfo.InvariantCulture, $"lat={PredictionTestData.HotLat}&lon={PredictionTestData.HotLon}&radius_km=3&resolution=7&hours_ahead=20"),
        "lat=57.70&lon=11.97&radius_km=1",
    ];

    [Theory]
    [MemberData(nameof(Queries))]
    public async Task JsonAndGeoJsonBytesEqualTheDtoSerialisationOfTheSameSnapshot(string query)
    {
        var service = factory.Services.GetRequiredService<RiskModelService>();
        var json = factory.Services.GetRequiredService<IOptions<HttpJsonOptions>>().Value.SerializerOptions;
        var client = factory.CreateClient();
        foreach (var geo in new[] { false, true })
        {
            var snapshot = service.Current!;
            var response = await client.GetAsync("/api/v1/predictions/hotspots?" + query + (geo ? "&format=geojson" : ""));
            var actual = await response.Content.ReadAsByteArrayAsync();
            Assert.True(response.IsSuccessStatusCode, $"{query}: {(int)response.StatusCode}");
            Assert.Same(snapshot, service.Current);
            Assert.Equal(geo ? "application/geo+json" : "application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
            var reference = Reference.Serialize(service, snapshot, Parse(query), geo, json);
            Assert.Equal(System.Text.Encoding.UTF8.GetString(reference), System.Text.Encoding.UTF8.GetString(actual));
        }
    }

    [Fact]
    public void CachedFactorsEqualTheReasonsWorkedOutFromScratchForEveryCellAndHour()
    {
        var s = factory.Services.GetRequiredService<RiskModelService>().Current!;
        var compared = 0;
        for (var c = 0; c < s.Count; c++)
            for (var h = 0; h < 24; h++, compared++)
                Assert.Equal(Reference.Factors(s, c, h), s.Factors(c, h));
        Assert.True(compared > 0);
    }

    [Fact]
    public void TheFactorsCachedBytesAreThoseTheApisOwnWriterWritesSoTheHotPathCopiesThem()
    {
        // The byte comparison above passes on the slow path too; this holds the cache to the API's encoder, whose
        // escaping ("–", "×", "å" unescaped) is not the default one.
        var json = factory.Services.GetRequiredService<IOptions<HttpJsonOptions>>().Value.SerializerOptions;
        Assert.True(FactorText.MatchesWire(HotspotsResult.WriterOptions(json).Encoder));
        var f = new FactorText(1, "Mondays 03:00–04:00 are 0.4× the weekly average in Stockholms län",
            new FactorDto("area_events", Count: 3, WindowDays: 30, Area: "Stockholms län", AreaKind: "county", AreaCode: "01"));
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, HotspotsResult.WriterOptions(json)))
        {
            w.WriteStartArray();
            w.WriteStringValue(f.Text);
            JsonSerializer.Serialize(w, f.Data, json);
            w.WriteEndArray();
        }
        var written = System.Text.Encoding.UTF8.GetString(stream.ToArray());
        Assert.Equal(written, "[\"" + f.Json + "\"," + System.Text.Encoding.UTF8.GetString(f.DataJson) + "]");
        Assert.Contains("–", written);
    }

    [Fact]
    public void ACellsKeptBytesAreWhatItWritesAfreshAndOnlyWritersThatEscapeLikeTheApiCopyThem()
    {
        var service = factory.Services.GetRequiredService<RiskModelService>();
        var s = service.Current!;
        var json = factory.Services.GetRequiredService<IOptions<HttpJsonOptions>>().Value.SerializerOptions;
        // The default encoder escapes "–", "×" and "å", which the factor texts and area names hold.
        var strict = new JsonSerializerOptions(json) { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.Default };
        var query = Parse(Box + "&hours_ahead=4&limit=60");
        var rows = s.TopInBox(59.25, 17.90, 59.42, 18.25, 4, 0, 60);
        foreach (var geo in new[] { false, true })
            foreach (var summary in new[] { false, true })
            {
                var result = new HotspotsResult(s, service, rows, 4, s.Resolution, geo, summary);
                var first = Write(result, json);
                Assert.True(s.CellJsonBytes > 0);
                Assert.Equal(first, Write(result, json));
                if (!summary) Assert.Equal(System.Text.Encoding.UTF8.GetString(Reference.Serialize(service, s, query, geo, json)), first);
                var escaped = Write(result, strict);
                if (!summary) Assert.NotEqual(first, escaped);
                if (!summary) Assert.Equal(System.Text.Encoding.UTF8.GetString(Reference.Serialize(service, s, query, geo, strict)), escaped);
            }

        static string Write(HotspotsResult result, JsonSerializerOptions options)
        {
            using var stream = new MemoryStream();
            using (var w = new Utf8JsonWriter(stream, HotspotsResult.WriterOptions(options))) result.Write(w);
            return System.Text.Encoding.UTF8.GetString(stream.ToArray());
        }
    }

    [Fact]
    public void TopInBoxRanksLikeASortOfEveryCandidate()
    {
        var s = factory.Services.GetRequiredService<RiskModelService>().Current!;
        var rng = new Random(5);
        for (var trial = 0; trial < 50; trial++)
        {
            double lat0 = 59.2 + rng.NextDouble() * 0.2, lon0 = 17.8 + rng.NextDouble() * 0.3;
            double lat1 = lat0 + rng.NextDouble() * 0.2, lon1 = lon0 + rng.NextDouble() * 0.4;
            var hour = rng.Next(24);
            var limit = rng.Next(1, 300);
            var minExpected = rng.NextDouble() < 0.5 ? 0 : s.Expected[rng.Next(s.Expected.Length)];
            var expected = s.InBox(lat0, lon0, lat1, lon1).Select(i => (Cell: s.Cells[i], E: (double)s.Expected[i * 24 + hour]))
                .Where(x => x.E >= minExpected).OrderByDescending(x => x.E).ThenBy(x => x.Cell).Take(limit).Select(x => x.Cell).ToList();
            var actual = s.TopInBox(lat0, lon0, lat1, lon1, hour, minExpected, limit).Select(r => r.Cell).ToList();
            Assert.Equal(expected, actual);
        }
    }

    private static Dictionary<string, string> Parse(string query) =>
        query.Split('&').Select(p => p.Split('=')).ToDictionary(p => p[0], p => p[1]);

    /// <summary>The DTO path the endpoint used before it wrote JSON itself, kept verbatim as the reference.</summary>
    private static class Reference
    {
        public static byte[] Serialize(RiskModelService service, PredictionSnapshot s, Dictionary<string, string> q, bool geo, JsonSerializerOptions json)
        {
            var inv = CultureInfo.InvariantCulture;
            var hours = q.TryGetValue("hours_ahead", out var h) ? int.Parse(h, inv) : 0;
            var minRisk = q.TryGetValue("min_risk", out var m) ? double.Parse(m, inv) : 0;
            var limit = q.TryGetValue("limit", out var l) ? int.Parse(l, inv) : 100;
            var resolution = q.TryGetValue("resolution", out var r) ? int.Parse(r, inv) : s.Resolution;
            (double MinLat, double MinLon, double MaxLat, double MaxLon) b;
            (double Lat, double Lon, double RadiusM)? circle = null;
            if (q.TryGetValue("bbox", out var bbox))
            {
                var v = bbox.Split(',').Select(x => double.Parse(x, inv)).ToArray();
                b = (v[1], v[0], v[3], v[2]);
            }
            else
            {
                circle = (double.Parse(q["lat"], inv), double.Parse(q["lon"], inv), double.Parse(q["radius_km"], inv) * 1000);
                b = Halo.Api.Features.Geo.Haversine.BoundingBox(circle.Value.Lat, circle.Value.Lon, circle.Value.RadiusM);
            }
            var candidates = s.InBox(b.MinLat, b.MinLon, b.MaxLat, b.MaxLon);
            if (circle is { } cc) candidates.RemoveAll(i => Halo.Api.Features.Geo.Haversine.DistanceM(cc.Lat, cc.Lon, s.Lat[i], s.Lon[i]) > cc.RadiusM);
            var cells = new List<(ulong Cell, double Expected, int Source, bool AnyFine)>();
            if (resolution == s.Resolution)
                foreach (var i in candidates) cells.Add((s.Cells[i], s.Expected[i * 24 + hours], i, false));
            else
            {
                var parents = new Dictionary<ulong, (double Sum, int Best, double BestValue, bool Fine)>();
                foreach (var i in candidates)
                {
                    var p = H3.H3.CellToParent(new H3Index(s.Cells[i]), resolution).Value;
                    var e = s.Expected[i * 24 + hours];
                    var fine = s.Support(i).Kind == "fine";
                    parents[p] = parents.TryGetValue(p, out var a) ? (a.Sum + e, e > a.BestValue ? i : a.Best, Math.Max(e, a.BestValue), a.Fine || fine) : (e, i, e, fine);
                }
                foreach (var (p, a) in parents) cells.Add((p, a.Sum, a.Best, a.Fine));
            }
            var model = s.Model;
            var minExpected = RiskMath.ExpectedForScore(minRisk, model.ReferenceRate, s.Resolution, resolution);
            var top = cells.Where(x => x.Expected >= minExpected).OrderByDescending(x => x.Expected).ThenBy(x => x.Cell).Take(limit).ToList();
            var predictionTime = s.Origin.AddHours(hours);
            var window = PredictionsEndpoints.Window(s);
            var levels = service.Levels;
            var dtos = top.Select(x => Hotspot(service, s, x.Cell, x.Expected, x.Source, x.AnyFine, hours, resolution, predictionTime)).ToList();
            if (!geo)
                return JsonSerializer.SerializeToUtf8Bytes(new HotspotsResponse(model.Version, model.Model.Name, s.ComputedAt, predictionTime, hours, resolution,
                    model.ReferenceRate, window, levels, dtos.Count, dtos), json);
            var features = dtos.Select(d => new HotspotFeature("Feature", d.H3,
                new PolygonGeometry("Polygon", [d.Boundary.Select(p => new[] { p[1], p[0] }).Append([d.Boundary[0][1], d.Boundary[0][0]]).ToArray()]),
                new HotspotProperties(d.H3, [d.Lon, d.Lat], d.RiskScore, d.RiskLevel, d.ExpectedCount, d.ProbabilityAny, d.Confidence, d.Factors,
                    d.FactorDetails, d.ExpectedCountDisplay, d.ProbabilityDisplay, d.Support, d.SupportResolution, d.SupportArea, d.PredictionTime))).ToList();
            return JsonSerializer.SerializeToUtf8Bytes(new HotspotFeatureCollection("FeatureCollection", model.Version, model.Model.Name, s.ComputedAt, predictionTime, hours, resolution,
                model.ReferenceRate, window, levels, features), json);
        }

        private static HotspotDto Hotspot(RiskModelService service, PredictionSnapshot s, ulong cell, double expected, int source, bool anyFine, int hour, int resolution, DateTime time)
        {
            var h = new H3Index(cell);
            var centre = H3.H3.CellToLatLng(h);
            var boundary = H3.H3.CellToBoundary(h).Select(p => new[] { Math.Round(p.LatDegrees, 6), Math.Round(p.LngDegrees, 6) }).ToArray();
            var score = RiskMath.Score(expected, s.Model.ReferenceRate, s.Resolution, resolution);
            // A parent with any fine child is fine at its own resolution (it has detail to show).
            var support = anyFine ? new CellSupport("fine", resolution, null) : s.Support(source);
            return new HotspotDto(h.ToString(), resolution, Math.Round(centre.LatDegrees, 6), Math.Round(centre.LngDegrees, 6), boundary,
                RiskMath.Round(expected), RiskMath.Round(RiskMath.ProbabilityAny(expected)), Math.Round(score, 4), service.Level(score),
                Math.Round(s.Confidence[source], 3), Factors(s, source, hour), s.FactorData(source, hour), RiskMath.ExpectedDisplay(expected),
                RiskMath.ProbabilityDisplay(expected), support.Kind, support.Resolution, support.Area, time);
        }

        public static List<string> Factors(PredictionSnapshot s, int c, int hour)
        {
            var inv = CultureInfo.InvariantCulture;
            var f = new List<(double Weight, string Text)>();
            var nf = s.Data.FineCells.Length;
            float Col(string name, int unit) => s.Features.Columns[Array.IndexOf(UnitFeatures.Names, name)][unit];
            var what = s.TopCategory is { } top ? top.Replace('_', ' ') : "events";
            if (s.Space.Fine[c] is var u and >= 0)
            {
                var recent = Col("own_1d", u) + Col("ring1_2d", u);
                var radius = Math.Round(H3.H3.GetHexagonEdgeLengthAvgM(s.Resolution) * 2 / 100) * 100;
                if (recent > 0) f.Add((10 + recent, string.Create(inv, $"{recent:0} {Plural(recent, "event")} within ~{radius:0} m in the last 48 h (mostly {what})")));
                var year = Col("own_365d", u) + Col("ring1_365d", u);
                if (year > 0) f.Add((1 + year / 10, string.Create(inv, $"{year:0} {Plural(year, "event")} in this cell and its neighbours in the past 365 days")));
                var trend = Col("trend_30_vs_365", u);
                if (trend >= 1.5 && year >= 5) f.Add((3 * trend, string.Create(inv, $"Rising: the last 30 days nearby are {trend:0.0}× the yearly average")));
                var since = Col("days_since_ring1", u);
                if (since < 14) f.Add((2, string.Create(inv, $"Last event nearby {since:0} days ago")));
            }
            foreach (var area in new[] { s.Space.Municipality[c], s.Space.County[c] })
            {
                if (area < 0 || s.Data.Areas is null) continue;
                var unit = nf + area;
                var month = Col("own_30d", unit);
                if (month <= 0) continue;
                var a = s.Data.Areas.Areas[area];
                f.Add((1 + month / 30, string.Create(inv,
                    $"{month:0} police {Plural(month, "event")} in {a.Name} in the last 30 days (their position is known only to the {(a.Kind == Halo.Api.Features.Geo.SwedishAreaKind.County ? "county" : "municipality")}, so they are spread over it)")));
            }
            var m = s.HourMultipliers[hour];
            if (m >= 1.25 || m <= 0.8)
            {
                var local = TimeZoneInfo.ConvertTimeFromUtc(s.Origin.AddHours(hour), s.Data.Zone);
                f.Add((4 * Math.Abs(Math.Log(m)), string.Create(inv, $"{local.DayOfWeek}s {local.Hour:00}:00–{(local.Hour + 1) % 24:00}:00 are {m:0.0}× the weekly average")));
            }
            if (s.Model.Model.Name != LearnedRiskModel.ModelName && f.Count == 0) f.Add((0, "No events nearby in the past year: the forecast is the background rate"));
            return f.OrderByDescending(x => x.Weight).Take(3).Select(x => x.Text).ToList();
        }

        private static string Plural(double n, string word) => Math.Abs(n - 1) < 1e-9 ? word : word + "s";
    }
}
