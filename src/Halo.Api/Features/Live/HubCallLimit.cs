using System.Globalization;
using System.Threading.RateLimiting;
using Halo.Api.Infrastructure.RateLimiting;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace Halo.Api.Features.Live;

/// <summary>
/// At most <see cref="LiveOptions.MaxCallsPerMinute"/> hub calls per connection. The HTTP rate limits see a WebSocket
/// only when it opens, and every later call costs a cover of the box and a group change per cell (a Redis round trip
/// each when scaled out), so one connection could otherwise keep the server busy. A call over the limit is refused with
/// a <see cref="HubException"/> that says when to retry; the connection stays open.
/// </summary>
public sealed class HubCallLimit(IOptions<LiveOptions> options, TimeProvider clock, LiveMetrics metrics) : IHubFilter
{
    private const string LimiterKey = "halo.calls";

    public ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocation, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        // A connection's calls run one at a time (MaximumParallelInvocationsPerClient is 1), so its items need no lock.
        var items = invocation.Context.Items;
        var max = options.Value.MaxCallsPerMinute;
        if (!items.TryGetValue(LimiterKey, out var held) || held is not RateLimiter limiter)
            items[LimiterKey] = limiter = new ClockedWindowRateLimiter(max, TimeSpan.FromMinutes(1), clock);
        using var lease = limiter.AttemptAcquire();
        if (!lease.IsAcquired)
        {
            metrics.Refused("calls");
            var retry = lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? Math.Max(1, (int)Math.Ceiling(after.TotalSeconds)) : 60;
            throw new HubException($"Too many calls on this connection: at most {max} a minute. Retry in {retry.ToString(CultureInfo.InvariantCulture)} s.");
        }
        return next(invocation);
    }
}
