using System.IO.Compression;
using System.Net.Http.Json;
using System.Text.Json;
using Halo.Api.Features.Incidents;
using Halo.Api.Tests.Infrastructure;

namespace Halo.Api.Tests.Security;

/// <summary>Map data is compressed for clients that ask; answers that carry tokens or personal data never are (BREACH).</summary>
public sealed class MapDataCompressionTests(SqliteApiFactory factory) : IClassFixture<SqliteApiFactory>
{
    [Fact]
    public async Task IncidentPagesAreBrotliCompressedWhenTheClientAsks()
    {
        var src = TestIncidents.NewSource();
        await factory.WithDb(async db =>
        {
            for (var i = 0; i < 30; i++) db.Incidents.Add(TestIncidents.Make(src, 59.33, 18.06, new DateTime(2025, 3, 1, 12, 0, 0, DateTimeKind.Utc).AddMinutes(-i)));
            return await db.SaveChangesAsync();
        });
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/incidents?source={src}&limit=30");
        request.Headers.AcceptEncoding.ParseAdd("br");
        using var response = await factory.CreateClient().SendAsync(request);

        Assert.Equal("br", Assert.Single(response.Content.Headers.ContentEncoding));
        var compressed = await response.Content.ReadAsByteArrayAsync();
        await using var brotli = new BrotliStream(new MemoryStream(compressed), CompressionMode.Decompress);
        var plain = new MemoryStream();
        await brotli.CopyToAsync(plain);
        Assert.True(plain.Length > 3 * compressed.Length, $"{plain.Length} bytes compressed to {compressed.Length}");
        var page = JsonSerializer.Deserialize<IncidentPage>(plain.ToArray(), Json.Options);
        Assert.Equal(30, page!.Count);
    }

    [Theory]
    [InlineData("POST", "/api/v1/auth/login")]
    [InlineData("GET", "/api/v1/reports/stats")]
    [InlineData("GET", "/health")]
    public async Task OtherAnswersAreNeverCompressed(string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        request.Headers.AcceptEncoding.ParseAdd("br, gzip");
        if (method == "POST") request.Content = JsonContent.Create(new { email = "nobody@example.org", password = "wrong password here" });
        using var response = await factory.CreateClient().SendAsync(request);

        Assert.Empty(response.Content.Headers.ContentEncoding);
    }
}
