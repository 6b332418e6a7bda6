using System.Net;
using Halo.Api.Tests.Infrastructure;
using Halo.Api.Tests.Infrastructure.RateLimiting;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Halo.Api.Tests.Security;

/// <summary>
/// Forwarded headers are believed only from configured proxies; by default from no one. The default-settings app has a
/// read limit of 3, which shows the address the server keys on.
/// </summary>
public sealed class ForwardedHeadersTests(RateLimitedApiFactory factory) : IClassFixture<RateLimitedApiFactory>
{
    private const string Proxy = "203.0.113.10";

    private sealed class ProductionFactory(params (string Key, string Value)[] settings) : HaloApiFactory(DbProvider.Sqlite)
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseEnvironment("Production");
            builder.UseSetting("https_port", "443");
            builder.UseSetting("Secrets:JwtSigningKey", Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
            builder.UseSetting("Secrets:DeviceHashKey", Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
            builder.UseSetting("Secrets:VapidPrivateKey", Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
            foreach (var (key, value) in settings) builder.UseSetting(key, value);
        }
    }

    [Theory]
    [InlineData("127.0.0.1", "127.0.0.9")]
    [InlineData("::1", "::2")]
    [InlineData("203.0.113.10", "203.0.113.11")]
    public async Task WithNoTrustedProxyConfiguredXForwardedForIsIgnoredEvenFromLoopback(string peer, string neighbour)
    {
        var client = factory.CreateClient();
        var codes = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            var req = new HttpRequestMessage(HttpMethod.Get, "/api/v1/incidents/stats/summary").From(peer);
            req.Headers.Add("X-Forwarded-For", $"10.99.{i}.1");
            codes.Add((await client.SendAsync(req)).StatusCode);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], codes);
        // Counted against the peer's own network.
        var next = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/v1/incidents/stats/summary").From(neighbour));
        Assert.Equal(HttpStatusCode.TooManyRequests, next.StatusCode);
    }

    [Fact]
    public async Task XForwardedProtoIsBelievedOnlyFromATrustedProxy()
    {
        using var app = new ProductionFactory(("Network:TrustedProxies:0", Proxy));
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri("http://halo.example.org") });

        // Behind the TLS-terminating proxy the request was https: no redirect, and HSTS is sent.
        var proxied = new HttpRequestMessage(HttpMethod.Get, "/health").From(Proxy);
        proxied.Headers.Add("X-Forwarded-Proto", "https");
        var served = await client.SendAsync(proxied);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.True(served.Headers.Contains("Strict-Transport-Security"));

        // Anyone else claiming https is still on plain http.
        var direct = new HttpRequestMessage(HttpMethod.Get, "/health").From("198.51.100.20");
        direct.Headers.Add("X-Forwarded-Proto", "https");
        var redirected = await client.SendAsync(direct);
        Assert.Equal(HttpStatusCode.TemporaryRedirect, redirected.StatusCode);
        Assert.Equal("https", redirected.Headers.Location?.Scheme);
    }

    [Theory]
    [InlineData("10.0.0.1/8")]
    [InlineData("10.0.0.0/33")]
    [InlineData("proxy.example.org")]
    public void ATrustedProxyThatIsNotAnAddressOrRangeStopsTheStart(string entry)
    {
        using var app = new ProductionFactory(("Network:TrustedProxies:0", "10.1.2.3"), ("Network:TrustedProxies:1", entry));
        var ex = Assert.ThrowsAny<Exception>(() => app.CreateClient());
        Assert.Contains("Network:TrustedProxies entries must be IP addresses or CIDR ranges", ex.ToString());
    }
}
