using System.Security.Claims;
using Halo.Api.Features.Live;
using Halo.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Halo.Api.Tests.Features.Live;

public sealed class HubErrorLoggingTests
{
    [Fact]
    public async Task ACallersBadInputOrDepartureIsLoggedAtDebugAndAHubFailureAtErrorWithItsException()
    {
        using var capture = new LogCapture();
        using var loggers = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(capture));
        var filter = new HubErrorLogging(loggers.CreateLogger<HubErrorLogging>());
        var invocation = new HubInvocationContext(new Caller(), new ServiceCollection().BuildServiceProvider(),
            new LiveHubStandIn(), typeof(LiveHubStandIn).GetMethod(nameof(LiveHubStandIn.Subscribe))!, []);

        var refused = await Assert.ThrowsAsync<HubException>(async () => await filter.InvokeMethodAsync(invocation, _ => throw new HubException("min_lat must not exceed max_lat.")));
        var refusal = Assert.Single(capture.Entries);
        Assert.Equal(LogLevel.Debug, refusal.Level);
        Assert.Contains("Subscribe", refusal.Message);
        Assert.Contains(refused.Message, refusal.Message);
        Assert.Null(refusal.Exception);

        capture.Clear();
        var broken = new InvalidOperationException("the backplane is gone");
        Assert.Same(broken, await Assert.ThrowsAsync<InvalidOperationException>(async () => await filter.InvokeMethodAsync(invocation, _ => throw broken)));
        var failure = Assert.Single(capture.Entries);
        Assert.Equal(LogLevel.Error, failure.Level);
        Assert.Contains("Subscribe", failure.Message);
        Assert.Same(broken, failure.Exception);

        // A call cut short because its caller left is no failure either.
        capture.Clear();
        using var gone = new CancellationTokenSource();
        await gone.CancelAsync();
        var left = new HubInvocationContext(new Caller(gone.Token), new ServiceCollection().BuildServiceProvider(),
            new LiveHubStandIn(), typeof(LiveHubStandIn).GetMethod(nameof(LiveHubStandIn.Subscribe))!, []);
        await Assert.ThrowsAsync<OperationCanceledException>(async () => await filter.InvokeMethodAsync(left, _ => throw new OperationCanceledException(gone.Token)));
        Assert.Equal(LogLevel.Debug, Assert.Single(capture.Entries).Level);
        // While the caller is still there, a cancellation is the server's own doing.
        capture.Clear();
        await Assert.ThrowsAsync<OperationCanceledException>(async () => await filter.InvokeMethodAsync(invocation, _ => throw new OperationCanceledException()));
        Assert.Equal(LogLevel.Error, Assert.Single(capture.Entries).Level);

        capture.Clear();
        Assert.Equal("ok", await filter.InvokeMethodAsync(invocation, _ => ValueTask.FromResult<object?>("ok")));
        Assert.Empty(capture.Entries);
    }

    private sealed class LiveHubStandIn : Hub
    {
        public Task Subscribe() => Task.CompletedTask;
    }

    private sealed class Caller(CancellationToken aborted = default) : HubCallerContext
    {
        public override string ConnectionId => "c1";
        public override string? UserIdentifier => null;
        public override ClaimsPrincipal? User => null;
        public override IDictionary<object, object?> Items { get; } = new Dictionary<object, object?>();
        public override IFeatureCollection Features { get; } = new FeatureCollection();
        public override CancellationToken ConnectionAborted => aborted;
        public override void Abort() { }
    }
}
