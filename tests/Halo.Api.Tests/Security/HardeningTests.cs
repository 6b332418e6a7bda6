using System.Net;
using Halo.Api.Tests.Infrastructure;

namespace Halo.Api.Tests.Security;

public sealed class CorsApiFactory : HaloApiFactory
{
    public CorsApiFactory() : base(DbProvider.Sqlite) => With("Hardening:CorsAllowedOrigins:0", "https://app.example.org");
}

public sealed class HardeningTests(CorsApiFactory factory) : IClassFixture<CorsApiFactory>
{
    [Theory]
    [InlineData("/health")]
    [InlineData("/api/v1/incidents")]
    [InlineData("/no/such/path")]
    public async Task EveryResponseCarriesSecurityHeaders(string url)
    {
        var res = await factory.CreateClient().GetAsync(url);
        Assert.Equal("nosniff", res.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", res.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("strict-origin-when-cross-origin", res.Headers.GetValues("Referrer-Policy").Single());
        var csp = res.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("default-src 'self'", csp);
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.DoesNotContain("unsafe-eval'", csp.Replace("'wasm-unsafe-eval'", ""));
        Assert.False(res.Headers.Contains("Server"));
    }

    [Fact]
    public async Task CorsAllowsOnlyListedOriginsWithCredentials()
    {
        var client = factory.CreateClient();
        var allowed = new HttpRequestMessage(HttpMethod.Options, "/api/v1/incidents");
        allowed.Headers.Add("Origin", "https://app.example.org");
        allowed.Headers.Add("Access-Control-Request-Method", "GET");
        var ok = await client.SendAsync(allowed);
        Assert.Equal("https://app.example.org", ok.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal("true", ok.Headers.GetValues("Access-Control-Allow-Credentials").Single());

        var evil = new HttpRequestMessage(HttpMethod.Options, "/api/v1/incidents");
        evil.Headers.Add("Origin", "https://evil.example.com");
        evil.Headers.Add("Access-Control-Request-Method", "GET");
        var denied = await client.SendAsync(evil);
        Assert.False(denied.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task ErrorsNeverLeakStackTracesOrDebugEndpoints()
    {
        var client = factory.CreateClient();
        foreach (var url in new[] { "/debug", "/_debug", "/env", "/swagger", "/api/v1/incidents?bbox=nope" })
        {
            var res = await client.GetAsync(url);
            var body = await res.Content.ReadAsStringAsync();
            Assert.True((int)res.StatusCode is >= 400 and < 500);
            Assert.DoesNotContain("   at ", body);
            Assert.DoesNotContain("Exception", body);
        }
    }
}

/// <summary>Body limits are enforced by Kestrel itself, so this runs on a real socket.</summary>
public sealed class BodyLimitTests(SqliteKestrelApiFactory factory) : IClassFixture<SqliteKestrelApiFactory>
{
    [Fact]
    public async Task BodiesOverTheDefaultLimitGet413()
    {
        var client = await factory.CreateClientAsAsync(Halo.Api.Features.Auth.Roles.Moderator);
        var body = new StringContent("{\"description\":\"" + new string('x', 2 << 20) + "\"}", System.Text.Encoding.UTF8, "application/json");
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/incidents") { Content = body };
        request.Headers.ExpectContinue = true;
        var res = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, res.StatusCode);
        Assert.Equal("application/problem+json", res.Content.Headers.ContentType?.MediaType);
    }
}
