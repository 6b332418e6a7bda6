using System.ComponentModel.DataAnnotations;
using Halo.Api.Data;
using Halo.Api.Features.Ingestion;
using Halo.Api.Features.Predictions.Serving;
using Halo.Api.Features.Incidents;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Halo.Api.Features.Health;

public sealed class HealthOptions
{
    public const string Section = "Health";

    /// <summary>Readiness fails when the serving risk model is older than this (it is retrained daily). 0: not checked.</summary>
    [Range(0, 24 * 365)]
    public int MaxModelAgeHours { get; set; } = 36;

    /// <summary>Readiness fails when the police poller has not succeeded for this long. 0: not checked.</summary>
    [Range(0, 60 * 24 * 30)]
    public int MaxIngestionLagMinutes { get; set; } = 60;
}

/// <summary>
/// Readiness beyond the store (<see cref="StoreHealthChecks"/>): Redis when one is configured, the age of the serving
/// risk model, and how long ago the police feed was last read.
/// </summary>
public static class HealthRegistration
{
    public const string Redis = "redis";
    public const string ModelFreshness = "model_freshness";
    public const string IngestionLag = "ingestion_lag";

    /// <summary>The setting the live-updates feature reads too; readiness pings that server when it is set.</summary>
    public const string RedisConnectionStringKey = "Redis:ConnectionString";

    public static WebApplicationBuilder AddHealth(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<HealthOptions>().Bind(builder.Configuration.GetSection(HealthOptions.Section))
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<HealthStart>();
        var timeout = TimeSpan.FromSeconds(StoreHealthChecks.ProbeTimeoutSeconds + 1);
        var checks = builder.Services.AddHealthChecks()
            .AddCheck<ModelFreshnessCheck>(ModelFreshness, HealthStatus.Unhealthy, [StoreHealthChecks.ReadyTag], timeout)
            .AddCheck<IngestionLagCheck>(IngestionLag, HealthStatus.Unhealthy, [StoreHealthChecks.ReadyTag], timeout);
        if (builder.Configuration[RedisConnectionStringKey] is { Length: > 0 } redis)
        {
            builder.Services.AddSingleton(new RedisProbe(redis));
            checks.AddCheck<RedisPingCheck>(Redis, HealthStatus.Unhealthy, [StoreHealthChecks.ReadyTag], timeout);
        }
        return builder;
    }
}

/// <summary>
/// The serving risk model is younger than <see cref="HealthOptions.MaxModelAgeHours"/>. Before the first model is
/// trained (a fresh install trains one in the background) it passes. With the daily retrain off, set the limit to 0.
/// </summary>
internal sealed class ModelFreshnessCheck(RiskModelService risk, IOptions<HealthOptions> options, TimeProvider clock)
    : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        var limit = options.Value.MaxModelAgeHours;
        if (risk.Model is not { } model) return Task.FromResult(HealthCheckResult.Healthy("No risk model yet (the first is being trained)."));
        var age = clock.GetUtcNow().UtcDateTime - model.TrainedAt;
        if (limit == 0 || age <= TimeSpan.FromHours(limit))
            return Task.FromResult(HealthCheckResult.Healthy($"The risk model is {age.TotalHours:F1} h old."));
        return Task.FromResult(HealthCheckResult.Unhealthy(
            $"The risk model is {age.TotalHours:F0} h old, more than Health:MaxModelAgeHours ({limit} h): the daily retrain is failing."));
    }
}

/// <summary>
/// The police poller (when enabled) last succeeded within <see cref="HealthOptions.MaxIngestionLagMinutes"/>; a poller
/// that has not succeeded yet is given that long from the app's start.
/// </summary>
internal sealed class IngestionLagCheck(HaloDbContext db, IOptions<HealthOptions> options, IOptions<PolisenPollerOptions> poller, TimeProvider clock, HealthStart start)
    : IHealthCheck
{

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        var limit = options.Value.MaxIngestionLagMinutes;
        if (limit == 0 || !poller.Value.Enabled) return HealthCheckResult.Healthy("Not checked (the poller is off, or Health:MaxIngestionLagMinutes is 0).");
        var now = clock.GetUtcNow().UtcDateTime;
        var last = await db.Set<IngestionRun>().AsNoTracking().Where(r => r.Source == IncidentSources.Polisen && r.Succeeded)
            .MaxAsync(r => r.FinishedAt, ct);
        var since = last ?? start.At;
        var lag = now - since;
        return lag <= TimeSpan.FromMinutes(limit)
            ? HealthCheckResult.Healthy($"Last successful poll {lag.TotalMinutes:F0} min ago.")
            : HealthCheckResult.Unhealthy($"No successful poll of the police feed for {lag.TotalMinutes:F0} min (Health:MaxIngestionLagMinutes is {limit}).");
    }
}

/// <summary>When the app started, by its clock: a poller that has not succeeded yet is measured from here.</summary>
internal sealed class HealthStart(TimeProvider clock)
{
    public DateTime At { get; } = clock.GetUtcNow().UtcDateTime;
}

/// <summary>One lazily opened connection for readiness pings; it reconnects by itself.</summary>
internal sealed class RedisProbe(string connectionString) : IDisposable
{
    private readonly Lazy<Task<ConnectionMultiplexer>> _connection = new(() =>
    {
        var o = ConfigurationOptions.Parse(connectionString);
        o.AbortOnConnectFail = false;
        o.ConnectTimeout = StoreHealthChecks.ProbeTimeoutSeconds * 1000;
        o.ClientName = "halo-readiness";
        return ConnectionMultiplexer.ConnectAsync(o);
    });

    public async Task<TimeSpan> PingAsync() => await (await _connection.Value).GetDatabase().PingAsync();

    public void Dispose()
    {
        if (_connection.IsValueCreated && _connection.Value.IsCompletedSuccessfully) _connection.Value.Result.Dispose();
    }
}

internal sealed class RedisPingCheck(RedisProbe redis) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        var ping = await redis.PingAsync().WaitAsync(TimeSpan.FromSeconds(StoreHealthChecks.ProbeTimeoutSeconds), ct);
        return HealthCheckResult.Healthy($"PING {ping.TotalMilliseconds:F0} ms");
    }
}
