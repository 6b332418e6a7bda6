using System.ComponentModel.DataAnnotations;
using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Halo.Api.Infrastructure.Observability;

/// <summary>Who may read <c>/metrics</c>. The scrape shows traffic and internals, so it is closed to the world by default.</summary>
public sealed class MetricsOptions
{
    public const string Section = "Metrics";

    /// <summary>Serve the Prometheus scrape endpoint at <c>/metrics</c>.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Client addresses or CIDR ranges allowed to scrape (after trusted-proxy headers are applied).</summary>
    public string[] AllowedAddresses { get; set; } = ["127.0.0.0/8", "::1"];

    /// <summary>When set, a request with <c>Authorization: Bearer {token}</c> may scrape from any address.</summary>
    [MinLength(16)]
    public string? BearerToken { get; set; }
}

/// <summary>
/// OpenTelemetry for Halo: metrics always (ASP.NET Core, HttpClient, EF Core, Npgsql, the runtime, Halo's own meters),
/// scraped by Prometheus at <c>/metrics</c>; traces and an OTLP export of every signal only when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (the standard OTEL_* variables configure it). Sentry joins when
/// <c>SENTRY_DSN</c> is set (<see cref="SentrySetup"/>).
/// </summary>
public static class Telemetry
{
    public const string ServiceName = "halo-api";
    public const string MetricsPath = "/metrics";

    /// <summary>Halo's own spans, where no library traces the work (<see cref="Data.StoreDialect.StartCommandSpan"/>).</summary>
    public static readonly ActivitySource Activities = new(ServiceName);

    public static WebApplicationBuilder AddObservability(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<MetricsOptions>().Bind(builder.Configuration.GetSection(MetricsOptions.Section))
            .ValidateDataAnnotations()
            .Validate(o => o.AllowedAddresses.All(a => NetworkOptions.TryParseProxy(a, out _, out _)),
                "Metrics:AllowedAddresses entries must be IP addresses or CIDR ranges (127.0.0.0/8, 10.1.2.3).")
            .ValidateOnStart();
        builder.Services.AddSingleton<HaloMetrics>();
        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);

        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(ServiceName, serviceVersion: typeof(Telemetry).Assembly.GetName().Version?.ToString()))
            .WithMetrics(m => m
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddNpgsqlInstrumentation()
                .AddMeter("Microsoft.EntityFrameworkCore")
                .AddMeter(HaloMetrics.MeterName, HaloMetrics.LiveMeterName)
                .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0));
        if (otlp)
        {
            // Without an exporter, spans would be recorded for no one: tracing is on only when they go somewhere.
            otel.WithTracing(t => t
                .AddAspNetCoreInstrumentation(o => o.Filter = http => !IsOperationsPath(http.Request.Path))
                .AddHttpClientInstrumentation()
                .AddEntityFrameworkCoreInstrumentation()
                .AddNpgsql()
                .AddSource(Activities.Name));
            otel.UseOtlpExporter();
        }
        builder.AddSentryWhenConfigured();
        return builder;
    }

    /// <summary>Scrapes and probes: counted in metrics, but not worth a trace each.</summary>
    private static bool IsOperationsPath(PathString path) => path.StartsWithSegments(MetricsPath) || path.StartsWithSegments("/health");

    /// <summary>
    /// Counts Halo's own request-level metrics (<see cref="HaloMetrics.Count"/>) once each request has its answer, and
    /// answers the Prometheus scrape at <c>/metrics</c>, open only to <see cref="MetricsOptions"/>'s addresses or bearer
    /// token. The scrape is answered here, after the client address is known and before account authentication, which
    /// would take the scraper's bearer token for an invalid access token.
    /// </summary>
    public static WebApplication UseObservability(this WebApplication app)
    {
        var metrics = app.Services.GetRequiredService<HaloMetrics>();
        app.Use(async (ctx, next) =>
        {
            await next();
            if (ctx.GetEndpoint() is RouteEndpoint route)
                metrics.Count(route.RoutePattern.RawText, ctx.Request.Method, ctx.Response.StatusCode,
                    ctx.Response.Headers.ContainsKey("Idempotent-Replayed"));
        });
        var options = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<MetricsOptions>>().Value;
        if (!options.Enabled) return app;
        var allowed = Parse(options.AllowedAddresses);
        var token = options.BearerToken is { Length: > 0 } t ? Encoding.UTF8.GetBytes("Bearer " + t) : null;
        app.UseOpenTelemetryPrometheusScrapingEndpoint(meterProvider: null,
            predicate: ctx => ctx.Request.Path == MetricsPath && HttpMethods.IsGet(ctx.Request.Method), path: null,
            configureBranchedPipeline: branch => branch.Use(async (ctx, next) =>
            {
                if (MayScrape(ctx, allowed, token)) await next();
                else await TypedResults.Problem("Metrics are served to the configured scrapers only (Metrics:AllowedAddresses, Metrics:BearerToken).",
                    statusCode: StatusCodes.Status403Forbidden, title: "Forbidden").ExecuteAsync(ctx);
            }), optionsName: null);
        return app;
    }

    private static bool MayScrape(HttpContext ctx, (List<IPAddress> Addresses, List<System.Net.IPNetwork> Networks) allowed, byte[]? token)
    {
        if (token is not null && ctx.Request.Headers.Authorization.ToString() is { Length: > 0 } given
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), token))
            return true;
        if (ctx.Connection.RemoteIpAddress is not { } peer) return false;
        if (peer.IsIPv4MappedToIPv6) peer = peer.MapToIPv4();
        return allowed.Addresses.Any(a => a.Equals(peer)) || allowed.Networks.Any(n => n.Contains(peer));
    }

    private static (List<IPAddress>, List<System.Net.IPNetwork>) Parse(IEnumerable<string> entries)
    {
        var addresses = new List<IPAddress>();
        var networks = new List<System.Net.IPNetwork>();
        foreach (var entry in entries)
        {
            if (!NetworkOptions.TryParseProxy(entry, out var address, out var network)) continue;
            if (address is not null) addresses.Add(address);
            if (network is not null) networks.Add(network.Value);
        }
        return (addresses, networks);
    }
}
