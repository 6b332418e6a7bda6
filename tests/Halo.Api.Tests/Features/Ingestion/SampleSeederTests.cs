using Halo.Api.Data;
using Halo.Api.Features.Ingestion;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;


namespace Halo.Api.Tests.Features.Ingestion;

public class SampleSeederTests
{
    [Fact]
    public async Task FirstRunOnAnEmptyStoreLoadsTheBundledSample()
    {
        await using var app = IngestionApi.Create(new Dictionary<string, string?> { ["Database:SeedSample"] = "true" });
        using var client = app.CreateClient(); // starts the host: migrations, then the seeder

        using var scope = app.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<HaloDbContext>();
        Assert.Equal(12_349, await db.Incidents.CountAsync());
        Assert.Equal(12_349, await db.Incidents.CountAsync(i => i.PublishedAt >= new DateTime(2024, 6, 30, 0, 0, 0, DateTimeKind.Utc)));

        // A second start (or a direct call) on a non-empty store loads nothing.
        Assert.Null(await scope.ServiceProvider.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<SampleSeeder>().Single()
            .SeedAsync(CancellationToken.None));
    }

    [Fact]
    public async Task SeedSampleFalseLeavesTheStoreEmpty()
    {
        await using var app = IngestionApi.Create();
        using var client = app.CreateClient();
        using var scope = app.Services.CreateScope();
        Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<HaloDbContext>().Incidents.CountAsync());
    }

    [Fact]
    public void BundledResourcesAreCopiedToTheOutput()
    {
        Assert.True(File.Exists(SampleSeeder.SamplePath));
        Assert.True(File.Exists(Path.Combine(AppContext.BaseDirectory, "Resources", "sweden", "swedish_municipalities.geojson")));
    }
}
