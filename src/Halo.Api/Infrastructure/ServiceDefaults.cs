using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Json;
using Scalar.AspNetCore;

namespace Halo.Api.Infrastructure;

/// <summary>Cross-cutting plumbing every feature relies on: JSON, ProblemDetails, OpenAPI, logging.</summary>
public static class ServiceDefaults
{
    /// <summary>Halo's wire format: snake_case names, enums as strings, no NaN/Infinity.</summary>
    public static void ConfigureJson(JsonSerializerOptions o)
    {
        o.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        o.DictionaryKeyPolicy = null;
        o.NumberHandling = JsonNumberHandling.Strict;
        o.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
        o.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
    }

    public static WebApplicationBuilder AddServiceDefaults(this WebApplicationBuilder builder)
    {
        if (!builder.Environment.IsDevelopment() && builder.Configuration.GetValue("Logging:Json", false))
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddJsonConsole(o => o.IncludeScopes = true);
        }
        builder.Services.ConfigureHttpJsonOptions(o => ConfigureJson(o.SerializerOptions));
        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = ctx =>
        {
            // Never echo exception details: a trace id is enough to find the log line.
            ctx.ProblemDetails.Extensions.Remove("exception");
            ctx.ProblemDetails.Extensions["trace_id"] = ctx.HttpContext.TraceIdentifier;
        });
        builder.Services.AddOpenApi();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ServerSecrets>();
        return builder;
    }

    public static WebApplication UseServiceDefaults(this WebApplication app)
    {
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            StatusCodeSelector = ex => ex switch
            {
                BadHttpRequestException b => b.StatusCode,
                JsonException => StatusCodes.Status400BadRequest,
                OperationCanceledException => StatusCodes.Status400BadRequest,
                _ => StatusCodes.Status500InternalServerError,
            },
        });
        app.UseStatusCodePages();
        // Unknown API paths are 404 ProblemDetails for everyone (without AllowAnonymous the secure-by-default fallback
        // policy would answer 401); every other path is one of the app's routes (/report, /profile) and gets index.html.
        app.MapFallback("{**path}", AppFallback).AllowAnonymous().ExcludeFromDescription();
        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        app.MapScalarApiReference("/docs", o => o.WithTitle("Halo API").WithOpenApiRoutePattern("/openapi/{documentName}.json")).AllowAnonymous();
        return app;
    }

    /// <summary>
    /// Serves the Blazor WebAssembly app (src/Halo.Web) at "/": its static files with precompressed variants,
    /// fingerprints and ETags. Static files are public and not part of the API description.
    /// </summary>
    public static WebApplication MapHaloApp(this WebApplication app)
    {
        app.MapStaticAssets().AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    private static readonly string[] ApiPrefixes = ["/api", "/openapi", "/docs", "/health", "/_framework", "/_content", "/lib", "/data", "/css", "/js"];

    private static async Task AppFallback(HttpContext ctx)
    {
        var path = ctx.Request.Path;
        var isAppRoute = (HttpMethods.IsGet(ctx.Request.Method) || HttpMethods.IsHead(ctx.Request.Method))
            && !ApiPrefixes.Any(p => path.StartsWithSegments(p, StringComparison.OrdinalIgnoreCase))
            && !Path.HasExtension(path.Value); // a missing file is a 404, not the app
        var index = isAppRoute ? ctx.RequestServices.GetRequiredService<IWebHostEnvironment>().WebRootFileProvider.GetFileInfo("index.html") : null;
        if (index is not { Exists: true })
        {
            await TypedResults.NotFound().ExecuteAsync(ctx);
            return;
        }
        // The shell must never be cached by the browser: the service worker decides which version runs.
        ctx.Response.Headers.CacheControl = "no-cache";
        ctx.Response.ContentType = "text/html; charset=utf-8";
        ctx.Response.ContentLength = index.Length;
        if (HttpMethods.IsHead(ctx.Request.Method)) return;
        await using var stream = index.CreateReadStream();
        await stream.CopyToAsync(ctx.Response.Body, ctx.RequestAborted);
    }
}
