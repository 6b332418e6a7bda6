using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace Halo.Api.Infrastructure;

public sealed class HardeningOptions
{
    public const string Section = "Hardening";

    /// <summary>Origins allowed to call the API from a browser. Empty: same-origin only. "*" never sends credentials.</summary>
    public string[] CorsAllowedOrigins { get; set; } = [];

    /// <summary>Default request body limit; endpoints that take uploads raise their own.</summary>
    [Range(1024, 1L << 30)] public long MaxRequestBodyBytes { get; set; } = 1 << 20;

    /// <summary>Extra origins the PWA may load map tiles from (the tile URL's host), added to the CSP.</summary>
    public string[] TileOrigins { get; set; } = ["https://tile.openstreetmap.org", "https://*.tile.openstreetmap.org"];
}

/// <summary>Forwarded headers from trusted proxies only, security headers, CORS allow-list, body limits, HTTPS/HSTS outside Development.</summary>
public static class Hardening
{
    private const string CorsPolicy = "halo-cors";

    public static WebApplicationBuilder AddHardening(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<HardeningOptions>().Bind(builder.Configuration.GetSection(HardeningOptions.Section))
            .ValidateDataAnnotations()
            .Validate(o => o.CorsAllowedOrigins.All(x => x == "*" || Uri.TryCreate(x, UriKind.Absolute, out _)), "Hardening:CorsAllowedOrigins must be absolute origins or *.")
            .ValidateOnStart();
        var options = builder.Configuration.GetSection(HardeningOptions.Section).Get<HardeningOptions>() ?? new HardeningOptions();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes;
            k.AddServerHeader = false;
        });
        builder.Services.AddCors(c => c.AddPolicy(CorsPolicy, p =>
        {
            if (options.CorsAllowedOrigins.Contains("*"))
                p.AllowAnyOrigin().AllowAnyHeader().AllowAnyMethod(); // no credentials with a wildcard
            else if (options.CorsAllowedOrigins.Length > 0)
                p.WithOrigins(options.CorsAllowedOrigins).AllowAnyHeader().AllowAnyMethod().AllowCredentials()
                 .WithExposedHeaders("Retry-After", "Location");
        }));
        builder.Services.AddHsts(o => { o.MaxAge = TimeSpan.FromDays(365); o.IncludeSubDomains = true; });
        builder.AddForwardedClientAddress();
        return builder;
    }

    private static void AddForwardedClientAddress(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<NetworkOptions>().Bind(builder.Configuration.GetSection(NetworkOptions.Section))
            .ValidateDataAnnotations()
            .Validate(o => o.TrustedProxies.All(p => NetworkOptions.TryParseProxy(p, out _, out _)),
                "Network:TrustedProxies entries must be IP addresses or CIDR ranges with no bits set after the prefix (10.0.0.0/8, 2001:db8::/32).")
            .ValidateOnStart();
        builder.Services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<NetworkOptions>>((f, network) =>
        {
            // The framework trusts loopback by default; Halo trusts exactly the configured proxies.
            f.KnownProxies.Clear();
            f.KnownIPNetworks.Clear();
            foreach (var entry in network.Value.TrustedProxies)
            {
                if (!NetworkOptions.TryParseProxy(entry, out var address, out var range)) continue;
                if (address is not null) f.KnownProxies.Add(address);
                if (range is not null) f.KnownIPNetworks.Add(range.Value);
            }
            // With both lists empty the middleware would believe every peer, so then it reads no header at all.
            f.ForwardedHeaders = f.KnownProxies.Count + f.KnownIPNetworks.Count > 0
                ? ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto
                : ForwardedHeaders.None;
            f.ForwardLimit = network.Value.ForwardLimit;
        });
    }

    /// <summary>
    /// The client's address and scheme as a trusted proxy saw them. Must be the first middleware: limits, sign-in
    /// throttling, witness checks and HTTPS redirection all read the address or scheme it sets.
    /// </summary>
    public static WebApplication UseForwardedClientAddress(this WebApplication app)
    {
        app.UseForwardedHeaders();
        return app;
    }

    public static WebApplication UseHardening(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment() && !app.Environment.IsEnvironment("Testing"))
        {
            app.UseHsts();
            app.UseHttpsRedirection();
        }
        var tiles = string.Join(' ', app.Configuration.GetSection($"{HardeningOptions.Section}:TileOrigins").Get<string[]>()
            ?? new HardeningOptions().TileOrigins);
        // The PWA needs WebAssembly compilation and blob workers (MapLibre); nothing else runs from elsewhere.
        var appCsp = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; " +
                     $"img-src 'self' data: blob: {tiles}; connect-src 'self' ws: wss: {tiles}; worker-src 'self' blob:; " +
                     "font-src 'self' data:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'";
        // The API reference UI at /docs uses inline scripts of its own.
        var docsCsp = "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
                      "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'";
        app.Use((ctx, next) =>
        {
            var h = ctx.Response.Headers;
            h.XContentTypeOptions = "nosniff";
            h.XFrameOptions = "DENY";
            h["Referrer-Policy"] = "strict-origin-when-cross-origin";
            h["Permissions-Policy"] = "camera=(self), microphone=(self), geolocation=(self), accelerometer=(self)";
            h.ContentSecurityPolicy = ctx.Request.Path.StartsWithSegments("/docs") ? docsCsp : appCsp;
            return next();
        });
        app.UseCors(CorsPolicy);
        return app;
    }
}
