using Halo.Api.Features.Live;
using Halo.Api.Tests.Features.Alerts;
using Halo.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Halo.Api.Tests.Features.Live;

/// <summary>The hub's limits run on the app's clock, so these tests move the fake clock instead of waiting.</summary>
public sealed class LiveLimitsTests
{
    /// <summary>Moves the clock to the start of a minute, so that what a test counts falls into one window.</summary>
    private static void StartOfNextMinute(HaloApiFactory factory) =>
        factory.Clock.Advance(TimeSpan.FromMinutes(1) - TimeSpan.FromTicks(factory.Clock.GetUtcNow().UtcTicks % TimeSpan.TicksPerMinute));

    [Fact]
    public async Task ACallPastTheConnectionsLimitIsRefusedUntilTheNextMinuteAndOtherConnectionsAreUnaffected()
    {
        using var factory = new LogCapturingApiFactory(DbProvider.Sqlite);
        factory.With("Live:MaxCallsPerMinute", "5").OnKestrel();
        using var metrics = new MetricsRecorder(factory);
        await using var busy = await LiveTestClient.ConnectAsync(factory);
        await using var other = await LiveTestClient.ConnectAsync(factory);
        StartOfNextMinute(factory);

        await busy.Connection.InvokeAsync("Identify", "device-0123456789");
        for (var n = 0; n < 3; n++) await busy.SubscribeAsync(59.30 + n * 0.01, 18.0, 59.35 + n * 0.01, 18.1);
        await busy.Connection.InvokeAsync("Unsubscribe");
        var refused = await Assert.ThrowsAsync<HubException>(() => busy.SubscribeAsync(59.3, 18.0, 59.35, 18.1));
        Assert.Contains("at most 5 a minute", refused.Message);
        Assert.Contains("Retry in 60 s", refused.Message);
        // The connection stays open, and another connection has its own budget.
        Assert.Equal(HubConnectionState.Connected, busy.Connection.State);
        Assert.False((await other.SubscribeAsync(59.3, 18.0, 59.35, 18.1)).Partial);

        factory.Clock.Advance(TimeSpan.FromSeconds(30));
        refused = await Assert.ThrowsAsync<HubException>(() => busy.SubscribeAsync(59.3, 18.0, 59.35, 18.1));
        Assert.Contains("Retry in 30 s", refused.Message);
        factory.Clock.Advance(TimeSpan.FromSeconds(30));
        Assert.False((await busy.SubscribeAsync(59.3, 18.0, 59.35, 18.1)).Partial);
        // A refusal is the caller's doing, not a fault of the server's.
        Assert.DoesNotContain(factory.Logs.Entries, e => e.Level >= LogLevel.Error);
        Assert.Equal(2, metrics.Sum("halo.live.refused;limit=calls"));
    }

    [Fact]
    public async Task ANetworkPastItsOpenConnectionsIsClosedAsItOpensAndLetInAgainWhenOneCloses()
    {
        using var factory = new LogCapturingApiFactory(DbProvider.Sqlite);
        factory.With("Live:MaxConnectionsPerNetwork", "2").OnKestrel();
        using var metrics = new MetricsRecorder(factory);
        var first = await LiveTestClient.ConnectAsync(factory);
        await using var second = await LiveTestClient.ConnectAsync(factory);

        // The third from the same network (127.0.0.0/24) is closed at once: its first call fails, and it is not counted.
        await using var third = await LiveTestClient.ConnectAsync(factory);
        await Assert.ThrowsAnyAsync<Exception>(() => third.SubscribeAsync(59.3, 18.0, 59.35, 18.1));
        Assert.Equal(1, metrics.Sum("halo.live.refused;limit=connections"));
        Assert.Equal(2, metrics.Sum("halo.live.connections"));
        Assert.Equal(2, factory.Services.GetRequiredService<LiveConnections>().OpenFrom("v4:127.0.0.0/24"));
        Assert.False((await second.SubscribeAsync(59.3, 18.0, 59.35, 18.1)).Partial);

        await first.DisposeAsync();
        var counts = factory.Services.GetRequiredService<LiveConnections>();
        for (var i = 0; i < 200 && counts.OpenFrom("v4:127.0.0.0/24") != 1; i++) await Task.Delay(50);
        Assert.Equal(1, counts.OpenFrom("v4:127.0.0.0/24"));
        await using var fourth = await LiveTestClient.ConnectAsync(factory);
        Assert.False((await fourth.SubscribeAsync(59.3, 18.0, 59.35, 18.1)).Partial);
        Assert.DoesNotContain(factory.Logs.Entries, e => e.Level >= LogLevel.Error);
    }

    [Fact]
    public async Task OpeningConnectionsCountsAgainstTheNetworksReadLimit()
    {
        // Negotiate and the WebSocket request: two reads per connection.
        using var factory = new HaloApiFactory(DbProvider.Sqlite)
            .With("RateLimiting:Enabled", "true").With("RateLimiting:Policies:reads:PermitLimit", "4").With("RateLimiting:Policies:reads:WindowSeconds", "60");
        factory.OnKestrel();
        StartOfNextMinute(factory);
        await using var first = await LiveTestClient.ConnectAsync(factory);
        await using var second = await LiveTestClient.ConnectAsync(factory);

        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => LiveTestClient.ConnectAsync(factory));
        Assert.Equal(System.Net.HttpStatusCode.TooManyRequests, refused.StatusCode);
        // Open connections are not cut, and the next window lets new ones in.
        Assert.False((await first.SubscribeAsync(59.3, 18.0, 59.35, 18.1)).Partial);
        factory.Clock.Advance(TimeSpan.FromMinutes(1));
        await using var third = await LiveTestClient.ConnectAsync(factory);
        Assert.Equal(HubConnectionState.Connected, third.Connection.State);
    }
}
