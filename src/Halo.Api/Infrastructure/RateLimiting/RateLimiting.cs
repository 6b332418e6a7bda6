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
}

public sealed class RateLimitPolicyOptions
{
    [Range(1, 1_000_000)] public int PermitLimit { get; set; }
    [Range(1, 86_400)] public int WindowSeconds { get; set; } = 60;
}

public sealed class RateLimitingOptions
{
    public const string Section = "RateLimiting";

    /// <summary>Off only for load benchmarks that must measure the server rather than the limiter.</summary>
    public bool Enabled { get; set; } = true;

    public Dictionary<string, RateLimitPolicyOptions> Policies { get; set; } = new(StringComparer.OrdinalIgnoreCase)
    {
        [RateLimitPolicies.Auth] = new() { PermitLimit = 10 },
        [RateLimitPolicies.ReportSubmit] = new() { PermitLimit = 10 },
        [RateLimitPolicies.Classify] = new() { PermitLimit = 30 },
        [RateLimitPolicies.MediaUpload] = new() { PermitLimit = 10 },
        [RateLimitPolicies.Reads] = new() { PermitLimit = 600 },
        [RateLimitPolicies.Admin] = new() { PermitLimit = 10 },
    };
}

/// <summary>
/// ASP.NET Core's rate-limiting middleware with Halo's policies. Each policy is partitioned by signed-in user, else by
/// client IP; report submission by device (X-Device-Id header, as the app sends it) when present. Refusals are 429
/// ProblemDetails with Retry-After.
/// </summary>
public static class RateLimitingRegistration
{
    public const string DeviceHeader = "X-Device-Id";

    public static WebApplicationBuilder AddHaloRateLimiting(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<RateLimitingOptions>().Bind(builder.Configuration.GetSection(RateLimitingOptions.Section))
            .Validate(o => o.Policies.Values.All(p => p.PermitLimit > 0 && p.WindowSeconds > 0), "Every rate-limit policy needs PermitLimit and WindowSeconds > 0.")
            .ValidateOnStart();
        builder.Services.AddRateLimiter(_ => { });
        builder.Services.AddOptions<RateLimiterOptions>().Configure<IOptions<RateLimitingOptions>, TimeProvider>((o, halo, clock) =>
        {
            foreach (var name in new[] { RateLimitPolicies.Auth, RateLimitPolicies.ReportSubmit, RateLimitPolicies.Classify,
                                         RateLimitPolicies.MediaUpload, RateLimitPolicies.Reads, RateLimitPolicies.Admin })
            {
                var policy = halo.Value.Policies.TryGetValue(name, out var p) ? p : new RateLimitPolicyOptions { PermitLimit = 60 };
                var enabled = halo.Value.Enabled;
                o.AddPolicy(name, ctx => enabled
                    ? RateLimitPartition.Get(PartitionKey(ctx, name), _ => new ClockedWindowRateLimiter(policy.PermitLimit, TimeSpan.FromSeconds(policy.WindowSeconds), clock))
                    : RateLimitPartition.GetNoLimiter("off"));
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

    private static string PartitionKey(HttpContext ctx, string policy)
    {
        if (policy == RateLimitPolicies.ReportSubmit && ctx.Request.Headers.TryGetValue(DeviceHeader, out var device)
            && device.ToString() is { Length: > 0 and <= 200 } d)
            return "device:" + d;
        var user = ctx.User.FindFirstValue("sub");
        if (user is not null) return "user:" + user;
        return "ip:" + (ctx.Connection.RemoteIpAddress?.ToString() ?? "unknown");
    }
}
