using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Halo.Api.Features.Auth;

/// <summary>
/// Counts failed logins per account and per client IP in a sliding window, on the injected clock.
/// In memory: with several API instances each throttles on its own (the limits still hold per instance).
/// </summary>
public sealed class LoginThrottle(TimeProvider clock, IOptions<AuthOptions> options)
{
    private readonly ConcurrentDictionary<string, Queue<DateTime>> _failures = new(StringComparer.Ordinal);

    /// <summary>When the caller may try again, or null if not throttled.</summary>
    public TimeSpan? RetryAfter(string account, string ip)
    {
        var o = options.Value;
        var a = Wait("acct:" + account, o.MaxFailuresPerAccount);
        var i = Wait("ip:" + ip, o.MaxFailuresPerIp);
        return a is null ? i : i is null ? a : (a > i ? a : i);
    }

    public void RecordFailure(string account, string ip)
    {
        Add("acct:" + account);
        Add("ip:" + ip);
    }

    public void RecordSuccess(string account) => _failures.TryRemove("acct:" + account, out _);

    private void Add(string key)
    {
        var q = _failures.GetOrAdd(key, _ => new Queue<DateTime>());
        lock (q) q.Enqueue(clock.GetUtcNow().UtcDateTime);
    }

    private TimeSpan? Wait(string key, int max)
    {
        if (!_failures.TryGetValue(key, out var q)) return null;
        var now = clock.GetUtcNow().UtcDateTime;
        var window = TimeSpan.FromMinutes(options.Value.FailureWindowMinutes);
        lock (q)
        {
            while (q.Count > 0 && now - q.Peek() >= window) q.Dequeue();
            if (q.Count < max) return null;
            return q.Peek() + window - now;
        }
    }
}
