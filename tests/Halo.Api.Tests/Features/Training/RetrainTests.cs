using System.Net;
using System.Text.Json;
using Halo.Api.Features.Auth;
using Halo.Api.Features.ModelRegistry;
using Halo.Api.Features.Predictions.Serving;
using Halo.Api.Features.Training;
using Halo.Api.Tests.Features.Predictions;
using Halo.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Halo.Api.Tests.Features.Training;

public sealed class RetrainTests
{
    private static async Task<JsonElement> WaitForJob(HttpClient admin, string id)
    {
        for (var i = 0; i < 600; i++)
        {
            var job = await (await admin.GetAsync($"/api/v1/admin/retrain/{id}")).ReadJsonAsync();
            if (job.GetProperty("status").GetString() is "succeeded" or "failed") return job;
            await Task.Delay(100);
        }
        throw new TimeoutException("The retrain job did not finish in 60 s.");
    }

    [Fact]
    public async Task TwoTriggersWhileOneRunsShareOneJobThatTrainsAndServesARealModel()
    {
        using var factory = new HaloApiFactory(DbProvider.Sqlite).Fast();
        await PredictionTestData.SeedAsync(factory);
        var admin = await factory.CreateClientAsAsync(Roles.Admin);
        var first = await admin.PostAsync("/api/v1/admin/retrain/trigger", null);
        var second = await admin.PostAsync("/api/v1/admin/retrain/trigger", null);
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        var id = (await first.ReadJsonAsync()).GetProperty("id").GetString()!;
        Assert.Equal(id, (await second.ReadJsonAsync()).GetProperty("id").GetString());

        var job = await WaitForJob(admin, id);
        Assert.Equal("succeeded", job.GetProperty("status").GetString());
        var version = job.GetProperty("risk_model_version").GetString()!;
        Assert.False(string.IsNullOrEmpty(job.GetProperty("chosen_model").GetString()));
        Assert.Equal(Halo.Api.Features.Predictions.Model.RiskTrainer.Candidates().Count, job.GetProperty("validation").GetArrayLength());
        var rows = await factory.WithDb(db => db.Set<ModelVersion>().Where(m => m.Kind == ModelKinds.Risk).ToListAsync());
        var row = Assert.Single(rows);
        Assert.Equal(ModelStatus.Ready, row.Status);
        Assert.NotNull(row.Artifact);
        Assert.Contains("validation", row.MetricsJson!);
        Assert.Equal(version, factory.Services.GetRequiredService<RiskModelService>().Current!.Model.Version);

        // Once it has finished, a new trigger starts a new job.
        var third = await (await admin.PostAsync("/api/v1/admin/retrain/trigger", null)).ReadJsonAsync();
        Assert.NotEqual(id, third.GetProperty("id").GetString());
        await WaitForJob(admin, third.GetProperty("id").GetString()!);
    }

    [Fact]
    public async Task AFailedTrainingKeepsThePreviousModelServingAndRecordsTheError()
    {
        using var factory = new LogCapturingApiFactory(DbProvider.Sqlite);
        factory.Fast();
        await PredictionTestData.SeedAsync(factory);
        var service = factory.Services.GetRequiredService<RiskModelService>();
        var good = await service.RetrainAsync(service.NewVersion(), CancellationToken.None);

        // Every event gone: the next training cannot succeed.
        await factory.WithDb(db => db.Incidents.ExecuteDeleteAsync());
        var admin = await factory.CreateClientAsAsync(Roles.Admin);
        var id = (await (await admin.PostAsync("/api/v1/admin/retrain/trigger", null)).ReadJsonAsync()).GetProperty("id").GetString()!;
        var job = await WaitForJob(admin, id);
        Assert.Equal("failed", job.GetProperty("status").GetString());
        Assert.Contains("events", job.GetProperty("error").GetString());

        var failed = await factory.WithDb(db => db.Set<ModelVersion>().SingleAsync(m => m.Kind == ModelKinds.Risk && m.Status == ModelStatus.Failed));
        Assert.Contains("events", failed.Error);
        Assert.Null(failed.Artifact);
        var metrics = await (await factory.CreateClient().GetAsync("/api/v1/predictions/metrics")).ReadJsonAsync();
        Assert.Equal(good.Version, metrics.GetProperty("model_version").GetString());
        var hotspots = await factory.CreateClient().GetAsync("/api/v1/predictions/hotspots?bbox=17.90,59.25,18.25,59.42");
        Assert.Equal(HttpStatusCode.OK, hotspots.StatusCode);

        // Too little data is a state of the store, not a fault: a warning that says why, with no stack trace.
        var warning = Assert.Single(factory.Logs.Entries, e => e.Category == typeof(RetrainJobs).FullName && e.Message.StartsWith("Risk model training", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Null(warning.Exception);
        Assert.Contains(failed.Error!, warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(factory.Logs.Entries, e => e.Level >= LogLevel.Error);
    }

    [Fact]
    public async Task ARestartServesTheNewestModelFromTheRegistry()
    {
        using var factory = new HaloApiFactory(DbProvider.Sqlite).Fast();
        await PredictionTestData.SeedAsync(factory);
        var service = factory.Services.GetRequiredService<RiskModelService>();
        var row = await service.RetrainAsync(service.NewVersion(), CancellationToken.None);
        using var restarted = new HaloApiFactory(DbProvider.Sqlite, factory.DataDirectory).Fast();
        var again = restarted.Services.GetRequiredService<RiskModelService>();
        for (var i = 0; i < 200 && again.Current is null; i++) await Task.Delay(50);
        Assert.Equal(row.Version, again.Current?.Model.Version);
        Assert.Equal(service.Current!.Count, again.Current!.Count);
    }

    [Fact]
    public async Task PredictionsAnswer503BeforeTheFirstModelAndUnknownJobsAre404()
    {
        using var factory = new HaloApiFactory(DbProvider.Sqlite);
        var response = await factory.CreateClient().GetAsync("/api/v1/predictions/hotspots?bbox=17.90,59.25,18.25,59.42");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var admin = await factory.CreateClientAsAsync(Roles.Admin);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/v1/admin/retrain/nope")).StatusCode);
    }
}
