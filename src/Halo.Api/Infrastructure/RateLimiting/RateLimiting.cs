using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Halo.Api.Infrastructure.RateLimiting;

public static class RateLimitPolicies
{
    public const string Auth = "auth";
    public const string ReportSubmit = "report-submit";
    public const string Classify = "classify";
    public const string MediaUpload = "media-upload";
    public const string Reads = "reads";
    public const string Admin = "admin";

    public static readonly IReadOnlyList<string> All = [Auth, ReportSubmit, Classify, MediaUpload, Reads, Admin];
}

public sealed class RateLimitPolicyOptions
{
    /// <summary>Requests per window for one signed-in account, or for one client network (IPv4 /24, IPv6 /48) when anonymous.</summary>
    [Range(1, 1_000_000)] public int PermitLimit { get; set; }

    [Range(1, 86_400)] public int WindowSeconds { get; set; } = 60;

    /// <summary>
    /// Signed-in requests from one client network, all accounts together; unset: 10 × <see cref="PermitLimit"/>.
    /// Anonymous requests have their own per-network limit (<see cref="PermitLimit"/>), so neither crowds out the other.
    /// </summary>
    [Range(1, 1_000_000)] public int? NetworkPermitLimit { get; set; }

    /// <summary>
    /// Requests per window for one X-Device-Id within its account or network, on top of the limits above; unset: none.
    /// At most <see cref="PermitLimit"/>: the header is the client's choice, so it can only narrow a limit.
    /// </summary>
    [Range(1, 1_000_000)] public int? DevicePermitLimit { get; set; }

    public int NetworkLimitForAccounts => NetworkPermitLimit ?? checked(10 * PermitLimit);
}

public sealed class RateLimitingOptions
{
    public const string Section = "RateLimiting";

    /// <summary>Off only for load benchmarks that must measure the server rather than the limiter.</summary>
    public bool Enabled { get; set; } = true;

    public Dictionary<string, RateLimitPolicyOptions> Policies { get; set; } = new(StringComparer.OrdinalIgnoreCase)
    {
        [RateLimitPolicies.Auth] = new() { PermitLimit = 10 },
        [RateLimitPolicies.ReportSubmit] = new() { PermitLimit = 30, DevicePermitLimit = 10 },
        [RateLimitPolicies.Classify] = new() { PermitLimit = 30 },
        [RateLimitPolicies.MediaUpload] = new() { PermitLimit = 30, DevicePermitLimit = 10 },
        [RateLimitPolicies.Reads] = new() { PermitLimit = 600 },
        [RateLimitPolicies.Admin] = new() { PermitLimit = 10 },
    };

    public RateLimitPolicyOptions For(string policy) =>
        Policies.TryGetValue(policy, out var p) ? p : new RateLimitPolicyOptions { PermitLimit = 60 };
}

/// <summary>
/// ASP.NET Core's rate-limiting middleware with Halo's policies, keyed on what the server knows: the signed-in account,
/// else the client's network (<see cref="ClientNetwork"/>, after forwarded headers from trusted proxies). A request
/// must pass every limit that applies to it (<see cref="ChainedLimits"/>); the X-Device-Id header only adds one.
/// Refusals are 429 ProblemDetails with Retry-After.
/// </summary>
public static class RateLimitingRegistration
{
    public const string DeviceHeader = "X-Device-Id";

    public static WebApplicationBuilder AddHaloRateLimiting(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<RateLimitingOptions>().Bind(builder.Configuration.GetSection(RateLimitingOptions.Section))
            .Validate(o => o.Policies.Values.All(p => p.PermitLimit > 0 && p.WindowSeconds > 0 && p.NetworkPermitLimit is null or > 0),
                "Every rate-limit policy needs PermitLimit and WindowSeconds > 0 (and NetworkPermitLimit > 0 when set).")
            .Validate(o => o.Policies.Values.All(p => p.DevicePermitLimit is null || (p.DevicePermitLimit > 0 && p.DevicePermitLimit <= p.PermitLimit)),
                "A rate-limit policy's DevicePermitLimit must be between 1 and its PermitLimit.")
            .ValidateOnStart();
        builder.Services.AddSingleton<ChainedLimits>();
        builder.Services.AddRateLimiter(_ => { });
        builder.Services.AddOptions<RateLimiterOptions>().Configure<IOptions<RateLimitingOptions>, IServiceProvider>((o, halo, services) =>
        {
            var limits = halo.Value.Enabled ? services.GetRequiredService<ChainedLimits>() : null;
            foreach (var name in RateLimitPolicies.All)
            {
                if (limits is null) o.AddPolicy(name, _ => RateLimitPartition.GetNoLimiter("off"));
                else o.AddPolicy(name, ctx => RateLimitPartition.Get(KeyOf(ctx, name), key => new PassThrough(limits, key)));
            }
            o.OnRejected = async (context, ct) =>
            {
                var retry = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromSeconds(1);
                var http = context.HttpContext;
                http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                http.Response.Headers.RetryAfter = Math.Max(1, Math.Ceiling(retry.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                await Results.Problem(title: "Too many requests", detail: "Rate limit reached; retry after the time in Retry-After.",
                    statusCode: StatusCodes.Status429TooManyRequests).ExecuteAsync(http);
            };
        });
        return builder;
    }

    private static LimitKey KeyOf(HttpContext ctx, string policy)
    {
        var device = ctx.Request.Headers.TryGetValue(DeviceHeader, out var d) && d.ToString() is { Length: > 0 and <= 200 } id ? id : null;
        return new LimitKey(policy, ClientNetwork.Of(ctx), ctx.User.FindFirstValue("sub"), device);
    }

    /// <summary>
    /// The middleware's partition for one key. It holds no state (the counts live in <see cref="ChainedLimits"/>), so it
    /// reports itself idle and the middleware may drop it at once: keys with fresh device ids cost nothing to keep.
    /// </summary>
    private sealed class PassThrough(ChainedLimits limits, LimitKey key) : RateLimiter
    {
        public override TimeSpan? IdleDuration => TimeSpan.MaxValue;

        public override RateLimiterStatistics? GetStatistics() => null;

        protected override RateLimitLease AttemptAcquireCore(int permitCount) => limits.AttemptAcquire(key, permitCount);

        protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) =>
            ValueTask.FromResult(limits.AttemptAcquire(key, permitCount));
    }
}

/// <summary>What a request is counted against: its network and account (known to the server) and the device it names.</summary>
internal readonly record struct LimitKey(string Policy, string Network, string? Account, string? Device);

/// <summary>
/// Every policy's limits, chained: a request passes only if each limit that applies grants it. Anonymous: per network,
/// and per device within that network when the header is sent. Signed in: per account, per network (all accounts there
/// together, a wider limit) and per device within the account. Narrowest first, so a request refused by its own device
/// or account limit does not spend its network's budget; the wider limits are probed before that, so once a network is
/// exhausted, requests with ever-new device ids are refused before a counter is made for each. Each limit is a
/// <see cref="ClockedWindowRateLimiter"/> on the app's clock.
/// </summary>
internal sealed class ChainedLimits : IDisposable
{
    private readonly PartitionedRateLimiter<LimitKey> _device, _principal, _accountsNetwork, _chain;

    public ChainedLimits(IOptions<RateLimitingOptions> options, TimeProvider clock)
    {
        var policies = RateLimitPolicies.All.ToDictionary(n => n, n => options.Value.For(n));
        RateLimitPartition<string> Window(LimitKey k, string key, Func<RateLimitPolicyOptions, int> limit)
        {
            var policy = policies[k.Policy];
            return RateLimitPartition.Get(k.Policy + "|" + key,
                _ => new ClockedWindowRateLimiter(limit(policy), TimeSpan.FromSeconds(policy.WindowSeconds), clock));
        }

        _device = PartitionedRateLimiter.Create<LimitKey, string>(k => k.Device is null || policies[k.Policy].DevicePermitLimit is null
            ? RateLimitPartition.GetNoLimiter("")
            : Window(k, (k.Account is null ? "net:" + k.Network : "account:" + k.Account) + "|device:" + k.Device, p => p.DevicePermitLimit!.Value));
        _principal = PartitionedRateLimiter.Create<LimitKey, string>(k => k.Account is null
            ? Window(k, "net:" + k.Network, p => p.PermitLimit)
            : Window(k, "account:" + k.Account, p => p.PermitLimit));
        _accountsNetwork = PartitionedRateLimiter.Create<LimitKey, string>(k => k.Account is null
            ? RateLimitPartition.GetNoLimiter("")
            : Window(k, "net:" + k.Network, p => p.NetworkLimitForAccounts));
        _chain = PartitionedRateLimiter.CreateChained(_device, _principal, _accountsNetwork);
    }

    public RateLimitLease AttemptAcquire(LimitKey key, int permitCount)
    {
        foreach (var wider in (ReadOnlySpan<PartitionedRateLimiter<LimitKey>>)[_accountsNetwork, _principal])
        {
            var probe = wider.AttemptAcquire(key, 0);
            if (!probe.IsAcquired) return probe;
            probe.Dispose();
        }
        return _chain.AttemptAcquire(key, permitCount);
    }

    public void Dispose()
    {
        // The chain does not own the limiters it chains.
        _chain.Dispose();
        _device.Dispose();
        _principal.Dispose();
        _accountsNetwork.Dispose();
    }
}
