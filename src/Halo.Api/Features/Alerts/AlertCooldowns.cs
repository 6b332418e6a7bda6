using System.Collections.Concurrent;
using StackExchange.Redis;

namespace Halo.Api.Features.Alerts;

/// <summary>"At most one alert of this type for this device per window": shared by all instances when Redis is configured.</summary>
public interface IAlertCooldowns
{
    /// <summary>True when no alert of this key was raised within <paramref name="window"/> (and starts a new window).</summary>
    Task<bool> TryBeginAsync(string key, TimeSpan window);
}

/// <summary>One instance: windows in memory, on the app's clock.</summary>
public sealed class MemoryAlertCooldowns(TimeProvider clock) : IAlertCooldowns
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _until = new(StringComparer.Ordinal);

    public Task<bool> TryBeginAsync(string key, TimeSpan window)
    {
        var now = clock.GetUtcNow();
        if (_until.Count > 100_000)
            foreach (var (k, until) in _until)
                if (until <= now) _until.TryRemove(k, out _);
        while (true)
        {
            if (_until.TryGetValue(key, out var until))
            {
                if (until > now) return Task.FromResult(false);
                if (_until.TryUpdate(key, now + window, until)) return Task.FromResult(true);
            }
            else if (_until.TryAdd(key, now + window)) return Task.FromResult(true);
        }
    }
}

/// <summary>Several instances: one Redis key per window (SET NX with expiry), so a device alerted by one instance is not alerted again by another.</summary>
public sealed class RedisAlertCooldowns(IConnectionMultiplexer redis, string prefix) : IAlertCooldowns
{
    public async Task<bool> TryBeginAsync(string key, TimeSpan window) =>
        await redis.GetDatabase().StringSetAsync(prefix + ":cooldown:" + key, "1", window, When.NotExists);
}
