using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Halo.Api.Features.Incidents;
using Halo.Api.Features.ModelRegistry;
using Halo.Api.Features.Predictions.Model;
using Halo.Api.Features.Predictions.Serving;
using Halo.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Halo.Api.Tests.Features.Predictions;

/// <summary>
/// A new install: the bundled sample is from an earlier year and the police poller has delivered a few days of live
/// events before the first training (<c>Ingestion:Polisen:StartDelay</c> short). The first model must still forecast
/// the hour, say so truthfully, and the learned model must train.
/// </summary>
public sealed partial class LiveStartTests
{
    private const double Lat = 59.3326, Lon = 18.0649;

    private static async Task SeedLiveShapedAsync(HaloApiFactory factory)
    {
        var rng = new Random(23);
        var now = factory.Clock.GetUtcNow().UtcDateTime;
        var source = TestIncidents.NewSource();
        var rows = new List<Incident>();
        Incident Event(DateTime at, bool coarse)
        {
            var (lat, lon) = coarse ? (59.3293, 18.0686) : TestIncidents.Offset(Lat, Lon, rng.NextDouble() * 6000, rng.NextDouble() * 360);
            var i = TestIncidents.Make(source, lat, lon, at, category: "assault");
            if (coarse) { i.LocationName = "Stockholm"; i.LocationPrecisionM = 15_000; }
            return i;
        }
        // The "sample": half a year, evening-heavy like the real one, ending 690 days ago (its last 40 days inside the 730-day training window).
        for (var k = 0; k < 2000; k++)
            rows.Add(Event(now.Date.AddDays(-690 - rng.Next(180)).AddHours(rng.NextDouble() < 0.6 ? 17 + rng.Next(5) : rng.Next(24)), coarse: k % 2 == 0));
        // The first polls: 600 events over the last three days, most of them in the evening (Stockholm time).
        for (var k = 0; k < 600; k++)
        {
            var hourUtc = rng.NextDouble() < 0.7 ? 17 + rng.Next(5) : rng.Next(24);
            var at = now.Date.AddDays(-rng.Next(3)).AddHours(hourUtc).AddMinutes(rng.Next(60));
            if (at >= now) at = at.AddDays(-3);
            rows.Add(Event(at, coarse: k % 3 != 0));
        }
        await factory.WithDb(async db =>
        {
            db.Incidents.AddRange(rows);
            return await db.SaveChangesAsync();
        });
    }

    [Fact]
    public async Task AFirstTrainingOnAFewDaysOfLiveEventsAfterAnOldSampleServesDifferentHoursMatchingFactorsAndCoarseCellsAsTheirArea()
    {
        using var factory = new HaloApiFactory(DbProvider.Sqlite)
            .With("Predictions:TrainingOrigins", "30").With("Predictions:MaxTrainingRows", "20000");
        await SeedLiveShapedAsync(factory);
        var service = factory.Services.GetRequiredService<RiskModelService>();
        var row = await service.RetrainAsync(service.NewVersion(), CancellationToken.None);
        Assert.Equal(ModelStatus.Ready, row.Status);

        // The learned model trained (no "0 unit-days with events"): it has validation scores of its own.
        var s = service.Current!;
        Assert.Contains(s.Model.Validation, v => v.Name == LearnedRiskModel.ModelName);
        Assert.DoesNotContain("could not be trained", row.WhyChosen);

        // The served hours differ (T+0, T+6, T+12, T+18), whatever model was chosen for where.
        var busiest = Enumerable.Range(0, s.Count).MaxBy(i => s.Expected[i * 24]);
        var at = new[] { 0, 6, 12, 18 }.Select(h => s.Expected[busiest * 24 + h]).ToArray();
        Assert.True(at.Distinct().Count() == 4, $"{s.Model.Model.Name}: T+0/6/12/18 = {string.Join(", ", at)}");

        // A cell whose top three reasons include the hour (in the busiest cells the local reasons outweigh it).
        var c = Enumerable.Range(0, s.Count).MaxBy(i => Enumerable.Range(0, 24).Count(h => s.FactorData(i, h).Any(f => f.Kind == "hour_of_week")));

        // Every hour-of-week factor states the multiplier the served hours actually carry: the served split of two
        // hours is the ratio of their stated multipliers (the floor aside), and the multiplier is that of the profile.
        var floor = s.Space.FloorPerHour;
        var stated = new Dictionary<int, double>();
        for (var h = 0; h < 24; h++)
        {
            var text = s.Factors(c, h).FirstOrDefault(f => f.Contains("weekly average"));
            var f = s.FactorData(c, h).FirstOrDefault(x => x.Kind == "hour_of_week");
            Assert.Equal(text is null, f is null);
            if (text is null) continue;
            var m = double.Parse(Multiplier().Match(text).Groups[1].Value, CultureInfo.InvariantCulture);
            Assert.Equal(Math.Round(s.HourMultipliers[h], 1), m);
            Assert.Equal(s.HourMultipliers[h], f!.Ratio!.Value, 6);
            stated[h] = s.HourMultipliers[h];
        }
        Assert.True(stated.Count >= 2, "The evening-heavy hours must give hour-of-week factors.");
        var (h1, h2) = (stated.Keys.MinBy(h => stated[h]), stated.Keys.MaxBy(h => stated[h]));
        var served = (s.Expected[c * 24 + h2] - floor) / (s.Expected[c * 24 + h1] - floor);
        Assert.Equal(stated[h2] / stated[h1], served, 2);

        // Cells of Stockholm without street-level events nearby are coarse-only: drawn at the municipality's level.
        var coarse = Enumerable.Range(0, s.Count).Select(s.Support).Where(x => x.Kind == "coarse").ToList();
        Assert.NotEmpty(coarse);
        Assert.All(coarse, x => Assert.True(x.Resolution < s.Resolution));
        Assert.Contains(coarse, x => x.Area is { Name: "Stockholm", Kind: "municipality" });
        Assert.Contains(Enumerable.Range(0, s.Count).Select(s.Support), x => x.Kind == "fine" && x.Area is null);

        // The map's summary list says the same per cell, so the app can draw coarse-only cells as their area; a
        // parent cell with any fine child is fine (it has detail to show).
        using var client = factory.CreateClient();
        foreach (var res in new[] { 8, 7 })
        {
            var q = $"/api/v1/predictions/hotspots?bbox=17.90,59.25,18.25,59.42&resolution={res}&limit=1000";
            using var full = JsonDocument.Parse(await client.GetStringAsync(q));
            using var summary = JsonDocument.Parse(await client.GetStringAsync(q + "&detail=summary"));
            var a = full.RootElement.GetProperty("cells").EnumerateArray().ToList();
            var b = summary.RootElement.GetProperty("cells").EnumerateArray().ToList();
            Assert.Equal(a.Count, b.Count);
            for (var i = 0; i < a.Count; i++)
            {
                Assert.Equal(a[i].GetProperty("support").GetString(), b[i].GetProperty("support").GetString());
                var area = a[i].GetProperty("support_area");
                if (area.ValueKind == JsonValueKind.Null) Assert.False(b[i].TryGetProperty("support_area", out _));
                else Assert.Equal(area.ToString(), b[i].GetProperty("support_area").ToString());
            }
            Assert.Contains(b, x => x.GetProperty("support").GetString() == "coarse"
                && x.GetProperty("support_area").GetProperty("name").GetString() == "Stockholm");
            if (res == 7)
            {
                var parent = b.First(x => x.GetProperty("support").GetString() == "fine").GetProperty("h3").GetString();
                using var cell = JsonDocument.Parse(await client.GetStringAsync($"/api/v1/predictions/cell/{parent}"));
                Assert.Equal("fine", cell.RootElement.GetProperty("support").GetString());
            }
        }
    }

    [GeneratedRegex(@"are (\d+\.\d)× the weekly average")]
    private static partial Regex Multiplier();
}
