using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Halo.Api.Features.Classification;
using Halo.Api.Features.Auth;
using Halo.Api.Features.ModelRegistry;
using Halo.Api.Features.Training;
using Halo.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Halo.Api.Tests.Features.Classification;

public sealed class ClassifyEndpointTests(SmallModelFixture small) : IClassFixture<SmallModelFixture>
{
    private const string Url = "/api/v1/classify";

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private async Task<(ClassificationApi Api, HttpClient Client)> ServingAsync()
    {
        var api = new ClassificationApi();
        var client = api.CreateClient();
        api.Classifier.Serve(ClassifierModel.Load(small.Trained.Artifact, small.Trained.SettingsJson, "v-small"));
        await Task.CompletedTask;
        return (api, client);
    }

    [Fact]
    public async Task AnswersServiceUnavailableUntilAModelIsReady()
    {
        await using var api = new ClassificationApi();
        var r = await api.CreateClient().PostAsync(Url, Json("""{"description":"Det brinner i ett hus"}"""));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, r.StatusCode);
        Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Model not ready", await r.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("""{"description":""}""", "description")]
    [InlineData("""{"description":"   \n\t "}""", "description")]
    [InlineData("""{"description":null}""", "description")]
    [InlineData("""{}""", "description")]
    [InlineData("""{"description":"brand","hour":24}""", "hour")]
    [InlineData("""{"description":"brand","hour":-1}""", "hour")]
    [InlineData("""{"description":"brand","top_k":0}""", "top_k")]
    [InlineData("""{"description":"brand","top_k":16}""", "top_k")]
    [InlineData("""{"description":"brand","latitude":91,"longitude":18}""", "latitude")]
    [InlineData("""{"description":"brand","latitude":59}""", "longitude")]
    [InlineData("""{"description":"brand","sensors":{"peak_g":-1}}""", "sensors.peak_g")]
    [InlineData("""{"description":"brand","sensors":{"audio_peak_dbfs":5}}""", "sensors.audio_peak_dbfs")]
    [InlineData("""{"description":"brand","sensors":{"audio_peak_dbfs":-40,"audio_mean_dbfs":-10}}""", "sensors.audio_mean_dbfs")]
    public async Task RejectsInvalidRequestsFieldByField(string body, string field)
    {
        var (api, client) = await ServingAsync();
        await using var owned = api;
        var r = await client.PostAsync(Url, Json(body));
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        using var doc = JsonDocument.Parse(await r.Content.ReadAsStringAsync());
        Assert.True(doc.RootElement.GetProperty("errors").TryGetProperty(field, out _), $"no error for {field}: {doc.RootElement}");
    }

    [Theory]
    [InlineData("{")]
    [InlineData("""{"description":5}""")]
    [InlineData("""{"description":"brand","hour":"noon"}""")]
    [InlineData("""{"description":"brand","hour":1e400}""")]
    [InlineData("""{"description":"brand","sensors":[1,2]}""")]
    [InlineData("")]
    public async Task RejectsMalformedJsonWithProblemDetails(string body)
    {
        var (api, client) = await ServingAsync();
        await using var owned = api;
        var r = await client.PostAsync(Url, Json(body));
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task AcceptsTwoThousandCharactersButNotMore()
    {
        var (api, client) = await ServingAsync();
        await using var owned = api;
        var ok = await client.PostAsJsonAsync(Url, new { description = new string('b', 1990) + " brand!!!!" });
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var tooLong = await client.PostAsJsonAsync(Url, new { description = new string('b', 2001) });
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
    }

    [Theory]
    [InlineData(null, 3)]
    [InlineData(1, 1)]
    [InlineData(5, 5)]
    [InlineData(15, 5)] // never more categories than the model knows
    public async Task ReturnsTopKCategoriesWithWellFormedProbabilities(int? topK, int expected)
    {
        var (api, client) = await ServingAsync();
        await using var owned = api;
        var r = await client.PostAsJsonAsync(Url, new Dictionary<string, object?>
        {
            ["description"] = "Någon har stulit min cykel vid stationen", ["top_k"] = topK, ["hour"] = 14,
            ["latitude"] = 59.33, ["longitude"] = 18.07,
            ["sensors"] = new Dictionary<string, object?> { ["peak_g"] = 1.2, ["jerk"] = 3.0, ["impact_detected"] = false, ["audio_peak_dbfs"] = -20.0, ["audio_mean_dbfs"] = -45.0 },
        });
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        using var doc = JsonDocument.Parse(await r.Content.ReadAsStringAsync());
        var root = doc.RootElement;
        var cats = root.GetProperty("categories").EnumerateArray().Select(c => (c.GetProperty("category").GetString()!, c.GetProperty("probability").GetDouble())).ToList();
        Assert.Equal(expected, cats.Count);
        var direct = small.Trained.Model.Predict("Någon har stulit min cykel vid stationen");
        Assert.Equal(small.Trained.Model.Labels[Array.IndexOf(direct, direct.Max())], cats[0].Item1);
        Assert.All(cats, c => Assert.InRange(c.Item2, 0, 1));
        Assert.True(cats.Zip(cats.Skip(1)).All(p => p.First.Item2 >= p.Second.Item2), "sorted by probability");
        Assert.True(cats.Sum(c => c.Item2) <= 1.0, "sum ≤ 1");
        Assert.Equal(cats.Count, cats.Select(c => c.Item1).Distinct().Count());
        Assert.Equal("v-small", root.GetProperty("model_version").GetString());
        Assert.InRange(root.GetProperty("severity").GetInt32(), 1, 5);
        Assert.Equal(cats[0].Item2 < new ClassificationOptions().NeedsReviewThreshold, root.GetProperty("needs_review").GetBoolean());
    }

    [Fact]
    public async Task FlagsGibberishForReview()
    {
        var (api, client) = await ServingAsync();
        await using var owned = api;
        foreach (var text in new[] { "qwxz plmk vbnr", "ölkjh asdfgh", "zzzzzzzz" })
        {
            var body = await (await client.PostAsJsonAsync(Url, new { description = text })).Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(body.GetProperty("needs_review").GetBoolean(), text);
        }
    }

    [Fact]
    public async Task SensorsRaiseTheSuggestedSeverity()
    {
        var (api, client) = await ServingAsync();
        await using var owned = api;
        const string text = "Två bilar har krockat i korsningen";
        var calm = await (await client.PostAsJsonAsync(Url, new { description = text })).Content.ReadFromJsonAsync<JsonElement>();
        var hit = await (await client.PostAsJsonAsync(Url, new { description = text, sensors = new { impact_detected = true, peak_g = 7.5 } })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(calm.GetProperty("severity").GetInt32() + 1, hit.GetProperty("severity").GetInt32());
    }

    [Fact]
    public async Task RateLimitsAnonymousCallersWithTooManyRequests()
    {
        await using var api = new ClassificationApi(classifyPermitsPerMinute: 3);
        api.Classifier.Serve(small.Trained.Model);
        var client = api.CreateClient();
        var codes = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++) codes.Add((await client.PostAsync(Url, Json("""{"description":"brand i ett hus"}"""))).StatusCode);
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], codes);
    }
}

public sealed class ClassifierRetrainTests
{
    private const string Url = "/api/v1/classify";

    private static async Task<string> VersionAsync(HttpClient client, string text = "Det brinner i ett garage")
    {
        var r = await client.PostAsJsonAsync(Url, new { description = text });
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        return (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("model_version").GetString()!;
    }

    [Fact]
    public async Task ModelVersionChangesAfterARetrain()
    {
        await using var api = new ClassificationApi();
        var client = api.CreateClient();
        await api.SeedPolisenAsync(SmallCorpus.Examples());
        var first = await api.Classifier.RetrainAsync(CancellationToken.None);
        Assert.Equal(first.Version, await VersionAsync(client));

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsync("/api/v1/admin/classifier/retrain", null)).StatusCode);
        var citizen = await api.CreateClientAsAsync(Roles.Citizen);
        Assert.Equal(HttpStatusCode.Forbidden, (await citizen.PostAsync("/api/v1/admin/classifier/retrain", null)).StatusCode);
        var admin = await api.CreateClientAsAsync(Roles.Admin);
        var accepted = await admin.PostAsync("/api/v1/admin/classifier/retrain", null);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var second = (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("version").GetString()!;
        Assert.NotEqual(first.Version, second);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (api.Classifier.Current?.Version != second && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.Equal(second, await VersionAsync(client));

        var rows = await api.WithDb(db => db.Set<ModelVersion>().AsNoTracking().OrderBy(m => m.TrainedAt).ToListAsync());
        Assert.Equal([first.Version, second], rows.Select(r => r.Version));
        Assert.All(rows, r =>
        {
            Assert.Equal(ModelStatus.Ready, r.Status);
            Assert.Equal(ModelKinds.Classifier, r.Kind);
            Assert.NotEmpty(r.Artifact!);
            Assert.Equal(SmallCorpus.Examples().Count, r.ExampleCount);
            Assert.False(string.IsNullOrEmpty(r.WhyChosen));
            Assert.Contains("validation", r.MetricsJson);
        });
    }

    [Fact]
    public async Task KeepsClassifyingWhileARetrainRuns()
    {
        await using var api = new ClassificationApi();
        var client = api.CreateClient();
        // A few thousand real events make the retrain take seconds, long enough to overlap many requests.
        var path = Infrastructure.SharedData.PathOf("polisen", "events-2022-2024.json.gz");
        var (examples, _) = await EvalClassifierCommand.LoadExamplesAsync(path, false, null, CancellationToken.None);
        await api.SeedPolisenAsync(examples.Take(4000).Select(e => e.Example));
        api.Classifier.Serve(ClassifierTrainer.Train(SmallCorpus.Examples(), "before", ["sdca_maxent"]).Model);

        var retrain = api.Classifier.RetrainAsync(CancellationToken.None);
        int duringTraining = 0, total = 0;
        while (!retrain.IsCompleted)
        {
            var r = await client.PostAsJsonAsync(Url, new { description = "En bil har kört av vägen" });
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            var version = (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("model_version").GetString();
            total++;
            if (version == "before" && api.Classifier.TrainingVersion is not null) duringTraining++;
        }
        var row = await retrain;
        Assert.True(duringTraining >= 20, $"only {duringTraining} of {total} requests overlapped the retrain");
        Assert.Equal(row.Version, await VersionAsync(client));
    }

    [Fact]
    public async Task ServesTheNewestRegistryModelAfterARestart()
    {
        await using var first = new ClassificationApi();
        first.CreateClient();
        await first.SeedPolisenAsync(SmallCorpus.Examples());
        var version = (await first.Classifier.RetrainAsync(CancellationToken.None)).Version;
        // A second process on the same store (the first one deletes the folder when disposed, so it stays alive).
        await using var second = new ClassificationApi(first.DataDirectory);
        var client = second.CreateClient();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (second.Classifier.Current is null && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.Equal(version, await VersionAsync(client));
    }

    [Fact]
    public async Task TrainsTheFirstModelAtStartOnceTheSampleIsLoaded()
    {
        await using var api = new ClassificationApi(trainOnStart: true);
        var client = api.CreateClient();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.PostAsJsonAsync(Url, new { description = "brand" })).StatusCode);
        await api.SeedPolisenAsync(SmallCorpus.Examples());
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (api.Classifier.Current is null && DateTime.UtcNow < deadline) await Task.Delay(100);
        Assert.NotNull(api.Classifier.Current);
        Assert.Equal(api.Classifier.Current!.Version, await VersionAsync(client));
    }

    [Fact]
    public async Task TrainsOnAStoreHoldingOnlyOldEvents()
    {
        // The bundled sample is years old; the window must end at the newest event, not at today.
        await using var api = new ClassificationApi();
        api.CreateClient();
        await api.SeedPolisenAsync(SmallCorpus.Examples(), publishedBefore: DateTime.UtcNow.AddYears(-3));
        var row = await api.Classifier.RetrainAsync(CancellationToken.None);
        Assert.Equal(SmallCorpus.Examples().Count, row.ExampleCount);
        Assert.True(row.DataTo < DateTime.UtcNow.AddYears(-2), $"window ends {row.DataTo:u}");
    }

    [Fact]
    public async Task RecordsAFailedTrainingWithoutReplacingTheServingModel()
    {
        await using var api = new ClassificationApi();
        api.CreateClient();
        await api.SeedPolisenAsync(SmallCorpus.Examples().Take(5)); // below MinTrainingExamples (10)
        var serving = ClassifierTrainer.Train(SmallCorpus.Examples(), "serving", ["sdca_maxent"]).Model;
        api.Classifier.Serve(serving);
        await Assert.ThrowsAsync<TooLittleDataException>(() => api.Classifier.RetrainAsync(CancellationToken.None));
        Assert.Same(serving, api.Classifier.Current);
        var row = await api.WithDb(db => db.Set<ModelVersion>().SingleAsync());
        Assert.Equal(ModelStatus.Failed, row.Status);
        Assert.Null(row.Artifact);
        Assert.Contains("at least 10", row.Error);
    }
}
