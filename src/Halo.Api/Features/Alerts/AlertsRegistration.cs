using Halo.Api.Features.Live;
using StackExchange.Redis;

namespace Halo.Api.Features.Alerts;

public static class AlertsRegistration
{
    public static WebApplicationBuilder AddAlerts(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<AlertOptions>().Bind(builder.Configuration.GetSection(AlertOptions.Section))
            .ValidateDataAnnotations()
            .Validate(o => { try { o.Zone(); return true; } catch (TimeZoneNotFoundException) { return false; } }, "Alerts:TimeZone is not a known time zone (e.g. Europe/Stockholm).")
            .ValidateOnStart();
        builder.Services.AddSingleton<RiskLookup>();
        builder.Services.AddSingleton<Geofence>();
        builder.Services.AddSingleton<ILiveIncidentObserver>(sp => sp.GetRequiredService<Geofence>());
        builder.Services.AddSingleton<IAlertDelivery, HubAlertDelivery>();
        // Cooldowns in Redis when several instances share it (Redis:ConnectionString), else in memory.
        if (builder.Configuration[RedisScaleOut.ConnectionStringKey] is { Length: > 0 })
        {
            builder.Services.AddSingleton<IAlertCooldowns>(sp => new RedisAlertCooldowns(sp.GetRequiredService<IConnectionMultiplexer>(), RedisScaleOut.Prefix(builder.Configuration)));
            // Incidents published on one instance are checked against the positions every other instance holds.
            builder.Services.AddSingleton(sp => new RedisAlertRelay(sp.GetRequiredService<IConnectionMultiplexer>(), RedisScaleOut.Prefix(builder.Configuration),
                sp.GetRequiredService<Geofence>(), sp.GetRequiredService<LiveMetrics>(), sp.GetRequiredService<ILogger<RedisAlertRelay>>()));
            builder.Services.AddSingleton<ILiveIncidentObserver>(sp => sp.GetRequiredService<RedisAlertRelay>());
            builder.Services.AddHostedService(sp => sp.GetRequiredService<RedisAlertRelay>());
        }
        else
            builder.Services.AddSingleton<IAlertCooldowns, MemoryAlertCooldowns>();
        return builder;
    }
}
