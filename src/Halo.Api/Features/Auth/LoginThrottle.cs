using Microsoft.Extensions.Options;

namespace Halo.Api.Features.Auth;

/// <summary>
/// Slows down the source of failed logins, not the account: state is keyed per account × client network
/// (<see cref="Infrastructure.ClientNetwork"/>), so an attacker guessing from one network makes only that network wait
/// while the owner signs in from anywhere else. After <see cref="AuthOptions.FailuresBeforeDelay"/> failures in a row
/// the source waits <see cref="AuthOptions.FirstDelaySeconds"/>; each further failure doubles the wait up to
/// <see cref="AuthOptions.MaxDelayMinutes"/>. A correct password resets the source. A coarse cap per network across all
/// accounts (<see cref="AuthOptions.MaxFailuresPerNetwork"/>) stops one network from trying many accounts.
/// </summary>
/// <remarks>
/// In memory, on the injected clock: with several API instances each keeps its own counts, so behind a load balancer a
/// source gets the allowance once per instance. Every attempt that reaches the password check is counted as a failure
/// when it is admitted (<see cref="TryAdmit"/>) and forgiven on success, so concurrent guesses cannot all slip in under
/// the limit. One lock for everything: the work under it is a few dictionary operations, far less than the password hash
/// each admitted attempt then costs.
/// </remarks>
public sealed class LoginThrottle(TimeProvider clock, IOptions<AuthOptions> options)
{
    private sealed class Source
    {
        public int Failures;
        public DateTime LastFailure;
        public DateTime WaitUntil;
    }

    private sealed class Network
    {
        public DateTime WindowStart;
        public int Failures;
    }

    private static readonly TimeSpan SweepEvery = TimeSpan.FromMinutes(1);

    private readonly Lock _gate = new();
    private readonly Dictionary<(string Account, string Network), Source> _sources = [];
    private readonly Dictionary<string, Network> _networks = new(StringComparer.Ordinal);
    private DateTime _nextSweep;

    /// <summary>How long this source must still wait, or null: a read-only check, cheap enough to run before the database.</summary>
    public TimeSpan? RetryAfter(string account, string network)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        lock (_gate) return WaitLocked(account, network, now);
    }

    /// <summary>
    /// Admits one password check, counting it as a failure until <see cref="Succeeded"/> says otherwise; or returns
    /// false with how long the source must wait.
    /// </summary>
    public bool TryAdmit(string account, string network, out TimeSpan retryAfter)
    {
        var o = options.Value;
        var now = clock.GetUtcNow().UtcDateTime;
        lock (_gate)
        {
            if (now >= _nextSweep) SweepLocked(now);
            if (WaitLocked(account, network, now) is { } wait)
            {
                retryAfter = wait;
                return false;
            }
            retryAfter = TimeSpan.Zero;

            if (!_sources.TryGetValue((account, network), out var source)) _sources[(account, network)] = source = new Source();
            if (now - source.LastFailure >= Forget(o)) source.Failures = 0;
            source.Failures++;
            source.LastFailure = now;
            source.WaitUntil = now + Delay(source.Failures, o);

            if (!_networks.TryGetValue(network, out var net) || now - net.WindowStart >= NetworkWindow(o))
                _networks[network] = net = new Network { WindowStart = now };
            net.Failures++;
            return true;
        }
    }

    /// <summary>The admitted attempt had the right password: the source starts clean, and the network gets its count back.</summary>
    public void Succeeded(string account, string network)
    {
        lock (_gate)
        {
            _sources.Remove((account, network));
            if (_networks.TryGetValue(network, out var net) && net.Failures > 0) net.Failures--;
        }
    }

    /// <summary>The wait after the <paramref name="failures"/>-th failure in a row: none, then doubling up to the cap.</summary>
    public static TimeSpan Delay(int failures, AuthOptions o)
    {
        if (failures < o.FailuresBeforeDelay) return TimeSpan.Zero;
        var max = TimeSpan.FromMinutes(o.MaxDelayMinutes);
        var doublings = failures - o.FailuresBeforeDelay;
        // Past 2^30 the product overflows; the cap was reached long before.
        if (doublings >= 30) return max;
        var delay = TimeSpan.FromSeconds(o.FirstDelaySeconds * (double)(1L << doublings));
        return delay < max ? delay : max;
    }

    private TimeSpan? WaitLocked(string account, string network, DateTime now)
    {
        var o = options.Value;
        TimeSpan? wait = null;
        if (_sources.TryGetValue((account, network), out var source) && source.WaitUntil > now)
            wait = source.WaitUntil - now;
        if (_networks.TryGetValue(network, out var net) && net.Failures >= o.MaxFailuresPerNetwork
            && net.WindowStart + NetworkWindow(o) is var reopens && reopens > now)
            wait = wait is { } w && w > reopens - now ? w : reopens - now;
        return wait;
    }

    /// <summary>Drops sources that are forgotten and network windows that are over, so memory follows recent failures only.</summary>
    private void SweepLocked(DateTime now)
    {
        var o = options.Value;
        _nextSweep = now + SweepEvery;
        foreach (var (key, source) in _sources)
            if (now - source.LastFailure >= Forget(o) && source.WaitUntil <= now) _sources.Remove(key);
        foreach (var (key, net) in _networks)
            if (now - net.WindowStart >= NetworkWindow(o)) _networks.Remove(key);
    }

    private static TimeSpan Forget(AuthOptions o) => TimeSpan.FromHours(o.ForgetFailuresAfterHours);

    private static TimeSpan NetworkWindow(AuthOptions o) => TimeSpan.FromMinutes(o.NetworkWindowMinutes);
}
