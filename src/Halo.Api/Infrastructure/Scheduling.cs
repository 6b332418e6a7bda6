using Quartz;

namespace Halo.Api.Infrastructure;

/// <summary>One Quartz scheduler for every feature's jobs (daily retrain, retention): features add jobs, the host once.</summary>
public static class Scheduling
{
    private sealed class QuartzHostAdded;

    public static IServiceCollection AddScheduledJobs(this IServiceCollection services, Action<IQuartzBuilder> configure)
    {
        services.AddQuartz(configure);
        if (services.All(d => d.ServiceType != typeof(QuartzHostAdded)))
        {
            services.AddSingleton<QuartzHostAdded>();
            // Let a running job finish on shutdown: a half-done retention pass or training is worse than a slow stop.
            services.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);
        }
        return services;
    }
}
