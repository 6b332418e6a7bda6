using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Halo.App.Services;

public static class ServiceCollectionExtensions
{
    /// <summary>Everything the components need, talking to the API at <paramref name="apiBase"/>.</summary>
    public static IServiceCollection AddHaloApp(this IServiceCollection services, Uri apiBase)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(new HttpClient { BaseAddress = apiBase });
        services.AddSingleton<Strings>();
        services.AddSingleton<BrowserApi>();
        services.AddSingleton<EvidenceRecorder>();
        services.AddSingleton<AppSettings>();
        services.AddSingleton<AuthSession>();
        services.AddSingleton<HaloApiClient>();
        services.TryAddSingleton<IOutboxStore, IndexedDbOutboxStore>();
        services.AddSingleton<Outbox>();
        services.TryAddSingleton<LiveUpdates>();
        services.TryAddSingleton<AlertCenter>();
        services.TryAddSingleton<Geofencing>();
        services.TryAddSingleton<WebPush>();
        services.TryAddSingleton<ViewCache>();
        services.TryAddSingleton(new MapOptions());
        return services;
    }
}

/// <summary>Map settings. The tile URL template is replaceable (e.g. a self-hosted tile server).</summary>
public sealed class MapOptions
{
    public string TileUrl { get; set; } = "https://tile.openstreetmap.org/{z}/{x}/{y}.png";
    public string TileAttribution { get; set; } = "© OpenStreetMap contributors";
    public double[] Centre { get; set; } = [15.5, 62.0];
    public double Zoom { get; set; } = 4.2;
    /// <summary>
    /// What the map frames at start (west, south, east, north) when the user's position is not known: southern Sweden,
    /// up to Gävle and Falun, where most people live (js/boot-map.js uses the same box).
    /// </summary>
    public double[] StartBounds { get; set; } = [11.0, 55.3, 19.2, 61.0];
    public int IncidentRollingDays { get; set; } = 30;
}
