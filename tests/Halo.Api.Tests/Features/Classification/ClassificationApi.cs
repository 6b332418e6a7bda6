using Halo.Api.Data;
using Halo.Api.Features.Classification;
using Halo.Api.Features.Incidents;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Halo.Api.Tests.Features.Classification;

/// <summary>
/// The API over a temp SQLite file, with first-start training off (tests decide when a model exists).
/// TODO: switch to the shared HaloApiFactory once it lands in main.
/// </summary>
internal sealed class ClassificationApi : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string> _settings;
    private readonly bool _deleteOnDispose;
    public string DataDirectory { get; }

    /// <param name="dataDirectory">Reuse a folder (to restart on the same store); it is then left for the caller to delete.</param>
    public ClassificationApi(string? dataDirectory = null, int permitsPerMinute = 1_000_000, bool trainOnStart = false, bool? deleteOnDispose = null)
    {
        _deleteOnDispose = deleteOnDispose ?? dataDirectory is null;
        DataDirectory = dataDirectory ?? Path.Combine(Path.GetTempPath(), "halo-classify-" + Guid.NewGuid().ToString("N"));
        _settings = new()
        {
            ["Database:DataDirectory"] = DataDirectory,
            ["Database:SeedSample"] = "false",
            ["Classification:TrainOnStart"] = trainOnStart ? "true" : "false",
            ["Classification:MinTrainingExamples"] = "10",
            ["Classification:StartupPollSeconds"] = "1",
            ["Classification:PermitsPerMinute"] = permitsPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (k, v) in _settings) builder.UseSetting(k, v);
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
    public async Task SeedPolisenAsync(IEnumerable<LabelledExample> examples, DateTime? publishedBefore = null)
    {
        using var scope = Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<HaloDbContext>();
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
        await db.SaveChangesAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        SqliteConnection.ClearAllPools();
        if (!_deleteOnDispose) return;
        try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
