using Halo.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;

namespace Halo.Api.Tests.Features.Auth;

public sealed class ProductionStartTests
{
    private sealed class ProductionFactory(string? key, string environment = "Production") : HaloApiFactory(DbProvider.Sqlite)
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseEnvironment(environment);
            builder.UseSetting("https_port", "443");
            if (key is null) return;
            builder.UseSetting("Secrets:JwtSigningKey", key);
            // Production needs every server secret; these tests are about the signing key.
            builder.UseSetting("Secrets:DeviceHashKey", Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
            builder.UseSetting("Secrets:VapidPrivateKey", Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
        }
    }

    [Fact]
    public async Task OutsideDevelopmentPlainHttpIsRedirectedAndHttpsGetsHsts()
    {
        using var factory = new ProductionFactory(Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
        var http = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var redirected = await http.GetAsync("/health");
        Assert.Equal(System.Net.HttpStatusCode.TemporaryRedirect, redirected.StatusCode);
        Assert.Equal("https", redirected.Headers.Location?.Scheme);

        var https = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://halo.example.org") }); // HSTS is never sent for localhost
        var secure = await https.GetAsync("/health");
        Assert.True(secure.IsSuccessStatusCode);
        Assert.Contains("max-age=", secure.Headers.GetValues("Strict-Transport-Security").Single());
    }

    [Fact]
    public async Task DevelopmentServesPlainHttpWithoutHsts()
    {
        using var factory = new ProductionFactory(null, "Development");
        var res = await factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false }).GetAsync("/health");
        Assert.Equal(System.Net.HttpStatusCode.OK, res.StatusCode);
        Assert.False(res.Headers.Contains("Strict-Transport-Security"));
    }

    [Fact]
    public void ProductionRefusesToStartWithoutASigningKey()
    {
        using var factory = new ProductionFactory(null);
        var ex = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
        Assert.Contains("Secrets:JwtSigningKey is not configured", Flatten(ex));
    }

    [Fact]
    public void ProductionRefusesAKeyShorterThan256Bits()
    {
        using var factory = new ProductionFactory(Convert.ToBase64String(new byte[16]));
        var ex = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
        Assert.Contains("at least 256 bits", Flatten(ex));
    }

    [Fact]
    public async Task ProductionStartsWithAConfiguredKeyAndNeverLeaksIt()
    {
        var key = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        using var factory = new ProductionFactory(key);
        var client = factory.CreateClient();
        var res = await client.GetAsync("/health");
        Assert.True(res.IsSuccessStatusCode);
        Assert.False(Directory.Exists(Path.Combine(factory.DataDirectory, "keys")), "no key is generated in Production");
        var docs = await client.GetStringAsync("/openapi/v1.json");
        Assert.DoesNotContain(key, docs);
    }

    [Fact]
    public void DevelopmentKeyIsGeneratedOnceAndReused()
    {
        using var a = new HaloApiFactory(DbProvider.Sqlite);
        a.CreateClient();
        var file = Path.Combine(a.DataDirectory, "keys", "JwtSigningKey.key");
        var first = File.ReadAllText(file);
        using var b = new HaloApiFactory(DbProvider.Sqlite, dataDirectory: a.DataDirectory);
        b.CreateClient();
        Assert.Equal(first, File.ReadAllText(file));
        Assert.True(Convert.FromBase64String(first).Length >= 32);
    }

    private static string Flatten(Exception ex) => ex.ToString();
}
