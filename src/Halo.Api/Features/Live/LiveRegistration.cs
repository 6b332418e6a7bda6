using System.Text.Json;
using Halo.Api.Infrastructure.RateLimiting;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using StackExchange.Redis;

namespace Halo.Api.Features.Live;

public static class LiveRegistration
{
    public const string HubPath = "/hubs/live";

    public static WebApplicationBuilder AddLive(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<LiveOptions>().Bind(builder.Configuration.GetSection(LiveOptions.Section))
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<LiveMetrics>();
        builder.Services.AddSingleton<LiveConnections>();
        builder.Services.AddSingleton<LivePublisher>();
        builder.Services.AddSingleton<ILiveNotifications>(sp => sp.GetRequiredService<LivePublisher>());
        builder.Services.AddHostedService(sp => sp.GetRequiredService<LivePublisher>());
        builder.Services.AddSingleton<IUserIdProvider, LiveUserIds>();
        builder.Services.AddSingleton<JobClaims>();

        var signalR = builder.Services.AddSignalR(o =>
            {
                // Stack traces never reach a client; HubException messages (bad input) do.
                o.EnableDetailedErrors = false;
                // Outermost first: a refusal by the call limit is logged as a refusal.
                o.AddFilter<HubErrorLogging>();
                o.AddFilter<HubCallLimit>();
            })
            .AddJsonProtocol(o => o.PayloadSerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower);
        if (builder.Configuration[RedisScaleOut.ConnectionStringKey] is { Length: > 0 } redis)
        {
            // One multiplexer for the backplane and the cooldowns (Features/Alerts).
            builder.Services.AddSingleton<IConnectionMultiplexer>(_ => RedisScaleOut.Connect(redis));
            signalR.AddStackExchangeRedis(o =>
            {
                o.Configuration.ChannelPrefix = RedisChannel.Literal(RedisScaleOut.Prefix(builder.Configuration));
                o.ConnectionFactory = async writer => await RedisScaleOut.ConnectAsync(redis, writer);
            });
        }

        // Browsers cannot set headers on a WebSocket: the token comes as ?access_token= on the hub's path only.
        builder.Services.PostConfigure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, o =>
        {
            var previous = o.Events.OnMessageReceived;
            o.Events.OnMessageReceived = async context =>
            {
                await previous(context);
                if (context.Token is null && context.HttpContext.Request.Path.StartsWithSegments(HubPath)
                    && context.Request.Query["access_token"] is { Count: 1 } token && !string.IsNullOrEmpty(token[0]))
                    context.Token = token[0];
            };
        });
        return builder;
    }

    public static IEndpointRouteBuilder MapLive(this IEndpointRouteBuilder app)
    {
        app.MapHub<LiveHub>(HubPath, o =>
        {
            o.AllowStatefulReconnects = true;
            // WebSockets first (clients try them first); SSE and long polling stay for proxies that block WebSockets.
            o.Transports = HttpTransportType.WebSockets | HttpTransportType.ServerSentEvents | HttpTransportType.LongPolling;
        }).AllowAnonymous()
            // Negotiating and opening a connection (and each long poll) count as reads, per client network or account.
            .RequireRateLimiting(RateLimitPolicies.Reads);
        return app;
    }
}

/// <summary>The optional Redis that lets several API instances act as one (backplane, cooldowns).</summary>
public static class RedisScaleOut
{
    public const string ConnectionStringKey = "Redis:ConnectionString";

    /// <summary>Prefix of Halo's channels and keys (<c>Redis:Prefix</c>): several Halo deployments (or test runs) can share one Redis.</summary>
    public static string Prefix(IConfiguration configuration) => configuration["Redis:Prefix"] is { Length: > 0 } p ? p : "halo";

    public static ConfigurationOptions Options(string connectionString)
    {
        var o = ConfigurationOptions.Parse(connectionString);
        // Start even if Redis is down for a moment, and keep retrying: one instance keeps serving its own clients.
        o.AbortOnConnectFail = false;
        return o;
    }

    public static IConnectionMultiplexer Connect(string connectionString) => ConnectionMultiplexer.Connect(Options(connectionString));

    public static async Task<IConnectionMultiplexer> ConnectAsync(string connectionString, TextWriter log) =>
        await ConnectionMultiplexer.ConnectAsync(Options(connectionString), log);
}
