using System.Net;

namespace Halo.Api.Tests.Infrastructure.RateLimiting;

public sealed class RateLimitedApiFactory : HaloApiFactory
{
    public RateLimitedApiFactory() : base(DbProvider.Sqlite)
    {
        With("RateLimiting:Enabled", "true");
        With("RateLimiting:Policies:reads:PermitLimit", "3");
        With("RateLimiting:Policies:reads:WindowSeconds", "60");
    }
}

/// <summary>The limiter runs on the app's TimeProvider, so these tests move a fake clock instead of sleeping.</summary>
public sealed class RateLimitTests(RateLimitedApiFactory factory) : IClassFixture<RateLimitedApiFactory>
{
    private async Task StartOfFreshWindow()
    {
        // Jump to the start of the next 60 s window so earlier tests' requests do not count.
        var now = factory.Clock.GetUtcNow();
        factory.Clock.Advance(TimeSpan.FromSeconds(60 - now.Second) - TimeSpan.FromMilliseconds(now.Millisecond));
        await Task.CompletedTask;
    }

    [Fact]
    public async Task TheRequestAfterTheLimitGets429WithRetryAfter()
    {
        await StartOfFreshWindow();
        var client = await factory.CreateClientAsAsync();
        for (var n = 0; n < 3; n++)
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/incidents/stats/summary")).StatusCode);

        var refused = await client.GetAsync("/api/v1/incidents/stats/summary");

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Equal(TimeSpan.FromSeconds(60), refused.Headers.RetryAfter?.Delta);

        factory.Clock.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/incidents/stats/summary")).StatusCode);
    }

    [Fact]
    public async Task SeparatePartitionsDoNotAffectEachOther()
    {
        await StartOfFreshWindow();
        var alice = await factory.CreateClientAsAsync();
        var bob = await factory.CreateClientAsAsync();
        for (var n = 0; n < 3; n++) await alice.GetAsync("/api/v1/incidents/stats/summary");
        Assert.Equal(HttpStatusCode.TooManyRequests, (await alice.GetAsync("/api/v1/incidents/stats/summary")).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await bob.GetAsync("/api/v1/incidents/stats/summary")).StatusCode);
    }

    [Fact]
    public async Task TheLimitHoldsUnderConcurrentRequestsAndNeverBlocks()
    {
        await StartOfFreshWindow();
        var client = await factory.CreateClientAsAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var results = await Task.WhenAll(Enumerable.Range(0, 40)
            .Select(_ => client.GetAsync("/api/v1/incidents/stats/summary", timeout.Token)));

        Assert.Equal(3, results.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Equal(37, results.Count(r => r.StatusCode == HttpStatusCode.TooManyRequests));
    }
}
