using System.Net;
using System.Net.Http.Json;
using Halo.Api.Features.Incidents;
using Halo.Api.Tests.Infrastructure;

namespace Halo.Api.Tests;

/// <summary>What a fresh clone sees after `dotnet run --project src/Halo.Api`: an empty data folder, no network.</summary>
public sealed class FirstRunTests
{
    [Fact]
    public async Task AFreshDataFolderStartsWithRealSampleEventsAndTheDocs()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "halo-firstrun", Guid.NewGuid().ToString("N"));
        Assert.False(Directory.Exists(dataDir));
        using var factory = new HaloApiFactory(DbProvider.Sqlite, dataDir).With("Database:SeedSample", "true");
        var client = factory.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/docs/v1")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/openapi/v1.json")).StatusCode);
        var page = await client.GetFromJsonAsync<IncidentPage>("/api/v1/incidents?limit=50", Json.Options);
        Assert.Equal(50, page!.Count);
        Assert.All(page.Items, i =>
        {
            Assert.Equal("polisen", i.Source);
            Assert.StartsWith("https://polisen.se/", i.SourceUrl);
            Assert.NotEqual("0", i.H3Res9);
        });
        Assert.True(File.Exists(Path.Combine(dataDir, "halo.db")));
        Assert.True(File.Exists(Path.Combine(dataDir, "keys", "JwtSigningKey.key")), "development keys are generated into the data folder");
    }
}
