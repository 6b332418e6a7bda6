using System.Threading.RateLimiting;

namespace Halo.Api.Infrastructure.RateLimiting;

/// <summary>
/// A fixed-window limiter on an injected <see cref="TimeProvider"/>, for ASP.NET Core's rate-limiting middleware.
/// The framework's own window limiters read a private stopwatch, which no test can move; this one can be driven by a
/// fake clock. It never queues: a request over the limit is refused at once with the time until the next window.
/// </summary>
public sealed class ClockedWindowRateLimiter(int permitLimit, TimeSpan window, TimeProvider clock) : RateLimiter
{
    private readonly Lock _gate = new();
    private long _windowIndex = long.MinValue;
    private int _used;
    private long _lastUsedTicks = clock.GetUtcNow().UtcTicks;

    public override TimeSpan? IdleDuration
    {
        get
        {
            lock (_gate)
            {
                var idle = TimeSpan.FromTicks(clock.GetUtcNow().UtcTicks - _lastUsedTicks);
                return _used == 0 || idle > window ? idle : null;
            }
        }
    }

    public override RateLimiterStatistics? GetStatistics()
    {
        lock (_gate)
            return new RateLimiterStatistics { CurrentAvailablePermits = Math.Max(0, permitLimit - _used) };
    }

    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        var now = clock.GetUtcNow().UtcTicks;
        var index = now / window.Ticks;
        lock (_gate)
        {
            _lastUsedTicks = now;
            if (index != _windowIndex) { _windowIndex = index; _used = 0; }
            if (permitCount == 0) return _used < permitLimit ? Lease.Granted : Refused(index, now);
            if (_used + permitCount <= permitLimit)
            {
                _used += permitCount;
                return Lease.Granted;
            }
            return Refused(index, now);
        }
    }

    private Lease Refused(long index, long now) => new(false, TimeSpan.FromTicks((index + 1) * window.Ticks - now));

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) =>
        ValueTask.FromResult(AttemptAcquireCore(permitCount));

    private sealed class Lease(bool acquired, TimeSpan? retryAfter) : RateLimitLease
    {
        public static readonly Lease Granted = new(true, null);

        public override bool IsAcquired => acquired;

        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            if (retryAfter is not null && metadataName == MetadataName.RetryAfter.Name)
            {
                metadata = retryAfter.Value;
                return true;
            }
            metadata = null;
            return false;
        }
    }
}
