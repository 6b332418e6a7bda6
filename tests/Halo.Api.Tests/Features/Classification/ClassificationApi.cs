using Halo.Api.Features.Classification;
using Halo.Api.Features.Incidents;
using Halo.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Halo.Api.Tests.Features.Classification;

/// <summary>
/// The shared <see cref="HaloApiFactory"/> over a temp SQLite file, on the real clock (training windows are computed from
/// the stored events' times), with first-start training off unless asked: tests decide when a model exists.
/// </summary>
internal sealed class ClassificationApi : HaloApiFactory
{
    public ClassificationApi(string? dataDirectory = null, bool trainOnStart = false, int? classifyPermitsPerMinute = null)
        : base(DbProvider.Sqlite, dataDirectory)
    {
        UseRealClock = true;
        With("Classification:TrainOnStart", trainOnStart ? "true" : "false");
        With("Classification:MinTrainingExamples", "10");
        With("Classification:StartupPollSeconds", "1");
        if (classifyPermitsPerMinute is { } permits)
        {
            With("RateLimiting:Enabled", "true");
            With("RateLimiting:Policies:classify:PermitLimit", permits.ToString(System.Globalization.CultureInfo.InvariantCulture));
            With("RateLimiting:Policies:classify:WindowSeconds", "60");
        }
    }

    public ClassifierService Classifier => Services.GetRequiredService<ClassifierService>();

    /// <summary>A police type string for each category, so stored events relabel to the intended category.</summary>
    public static readonly IReadOnlyDictionary<string, string> TypeFor = new Dictionary<string, string>
    {
        ["traffic"] = "Trafikolycka", ["fire"] = "Brand", ["theft"] = "Stöld", ["violence"] = "Misshandel", ["drugs"] = "Narkotikabrott",
        ["weapons"] = "Skottlossning", ["robbery"] = "Rån", ["burglary"] = "Inbrott", ["vehicle_crime"] = "Motorfordon, stöld",
        ["vandalism"] = "Skadegörelse", ["disturbance"] = "Bråk", ["sexual_offence"] = "Våldtäkt", ["fraud"] = "Bedrägeri",
        ["suspicious_activity"] = "Kontroll person/fordon", ["other"] = "Försvunnen person",
    };

    /// <summary>Stores examples as police incidents, published one a minute before <paramref name="publishedBefore"/> (default now).</summary>
    public Task SeedPolisenAsync(IEnumerable<LabelledExample> examples, DateTime? publishedBefore = null) =>
        SeedPolisenAsync(this, examples, publishedBefore);

    /// <summary>The same, for any test app (the fuzz test needs a trained model on its own factory).</summary>
    public static Task SeedPolisenAsync(HaloApiFactory factory, IEnumerable<LabelledExample> examples, DateTime? publishedBefore = null) => factory.WithDb(async db =>
    {
        var now = DateTime.UtcNow;
        var i = 0;
        foreach (var e in examples)
        {
            var type = TypeFor[e.Category];
            var at = (publishedBefore ?? now).AddMinutes(-10 - i);
            db.Incidents.Add(new Incident
            {
                Id = Guid.NewGuid(), Source = IncidentSources.Polisen, ExternalId = $"t{i++}", RawType = type, Category = e.Category,
                Title = $"1 januari 10:00, {type}, Stockholm", Summary = e.Text, OccurredAt = at, PublishedAt = at,
                CreatedAt = now, UpdatedAt = now, IsIncident = true, Latitude = 59.33, Longitude = 18.07,
            });
        }
        return await db.SaveChangesAsync();
    });
}
