using System.IO.Compression;
using Microsoft.AspNetCore.ResponseCompression;

namespace Halo.Api.Infrastructure;

/// <summary>
/// Compresses the map's data answers: an hour of hotspots as GeoJSON is large and the app prefetches several hours,
/// which on a phone is most of the data Halo uses, and repetitive GeoJSON compresses well. Only public, read-only map data is compressed —
/// never answers that carry tokens or personal data next to attacker-chosen text (BREACH), so auth, reports and media
/// stay as they are. The app's static files are already served precompressed.
/// </summary>
public static class MapDataCompression
{
    private static readonly string[] MapDataPaths = ["/api/v1/predictions", "/api/v1/incidents"];

    public static WebApplicationBuilder AddMapDataCompression(this WebApplicationBuilder builder)
    {
        builder.Services.AddResponseCompression(o =>
        {
            o.EnableForHttps = true;
            o.Providers.Add<BrotliCompressionProvider>();
            o.Providers.Add<GzipCompressionProvider>();
            o.MimeTypes = ["application/json", "application/geo+json"];
        });
        // Fastest: these answers are built per request, and a CPU-heavy level would cost more than the bytes it saves.
        builder.Services.Configure<BrotliCompressionProviderOptions>(o => o.Level = CompressionLevel.Fastest);
        builder.Services.Configure<GzipCompressionProviderOptions>(o => o.Level = CompressionLevel.Fastest);
        return builder;
    }

    public static WebApplication UseMapDataCompression(this WebApplication app)
    {
        app.UseWhen(ctx => HttpMethods.IsGet(ctx.Request.Method) && MapDataPaths.Any(p => ctx.Request.Path.StartsWithSegments(p)),
            branch => branch.UseResponseCompression());
        return app;
    }
}
