using System.Threading.RateLimiting;
using Halo.Api.Infrastructure;
using Microsoft.AspNetCore.RateLimiting;

namespace Halo.Api.Features.Classification;

public static class ClassificationRegistration
{
    public static WebApplicationBuilder AddClassification(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ClassificationOptions>().Bind(builder.Configuration.GetSection(ClassificationOptions.Section))
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<ClassifierService>();
        builder.Services.AddHostedService<ClassifierStartup>();
        // Every registered source feeds each retrain; citizen feedback adds one more here (docs/classification.md).
        builder.Services.AddScoped<IClassifierExampleSource, PolisenExampleSource>();
        builder.Services.AddTransient<ICliCommand, EvalClassifierCommand>();

        var permits = builder.Configuration.GetSection(ClassificationOptions.Section).Get<ClassificationOptions>()?.PermitsPerMinute
            ?? new ClassificationOptions().PermitsPerMinute;
        builder.Services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            // Anonymous use is allowed, so the budget is per client address.
            o.AddPolicy(ClassificationEndpoints.RateLimitPolicy, http => RateLimitPartition.GetFixedWindowLimiter(
                http.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = Math.Max(1, permits), Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
        });
        return builder;
    }
}
