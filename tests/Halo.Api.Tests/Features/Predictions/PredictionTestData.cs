using Halo.Api.Features.Incidents;
using Halo.Api.Tests.Infrastructure;

namespace Halo.Api.Tests.Features.Predictions;

/// <summary>Seeded incidents for the prediction API tests: a year of street-level events around Stockholm with a hot spot.</summary>
public static class PredictionTestData
{
    public const double HotLat = 59.3326, HotLon = 18.0649;

    /// <summary>Small, fast training settings (the real defaults train on two years and 365 origins).</summary>
    public static HaloApiFactory Fast(this HaloApiFactory f) => f
        .With("Predictions:TrainingOrigins", "30").With("Predictions:ValidationDays", "7")
        .With("Predictions:MaxTrainingRows", "20000").With("Predictions:TrainingWindowDays", "200");

    public static async Task SeedAsync(HaloApiFactory factory, int seed = 11)
    {
        var rng = new Random(seed);
        var now = factory.Clock.GetUtcNow().UtcDateTime;
        var source = TestIncidents.NewSource();
        var rows = new List<Incident>();
        for (var i = 0; i < 900; i++)
        {
            // Two-thirds spread over ~8 km, one third at the hot spot; evening-heavy hours.
            var (lat, lon) = i % 3 == 0
                ? TestIncidents.Offset(HotLat, HotLon, rng.NextDouble() * 150, rng.NextDouble() * 360)
                : TestIncidents.Offset(HotLat, HotLon, rng.NextDouble() * 8000, rng.NextDouble() * 360);
            var day = rng.Next(1, 180);
            var hour = rng.NextDouble() < 0.6 ? 18 + rng.Next(6) : rng.Next(24);
            rows.Add(TestIncidents.Make(source, lat, lon, now.Date.AddDays(-day).AddHours(hour), category: "assault"));
        }
        // A burst at the hot spot in the last two days: the near-repeat factor must name it.
        for (var i = 0; i < 3; i++) rows.Add(TestIncidents.Make(source, HotLat, HotLon, now.AddHours(-5 - 8 * i), category: "assault"));
        // Non-events and rejected reports must be ignored.
        rows.Add(TestIncidents.Make(source, 57.7, 11.97, now.AddHours(-3), isIncident: false));
        rows.Add(TestIncidents.Make(source, 57.7, 11.97, now.AddHours(-3), status: IncidentStatus.Rejected));
        await factory.WithDb(async db =>
        {
            db.Incidents.AddRange(rows);
            return await db.SaveChangesAsync();
        });
    }
}
