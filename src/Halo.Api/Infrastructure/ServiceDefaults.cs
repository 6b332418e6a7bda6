using Microsoft.AspNetCore.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
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
        // Production logs are for collectors: one JSON object per line, with the request's scope (RequestId, RequestPath)
        // and its trace (TraceId, SpanId) on every line written while it runs.
        var json = builder.Configuration.GetValue<bool?>("Logging:Json") ?? builder.Environment.IsProduction();
        if (json && !builder.Environment.IsDevelopment())
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
            builder.Logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId);
        }
        builder.Services.ConfigureHttpJsonOptions(o => ConfigureJson(o.SerializerOptions));
        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = ctx =>
        {
            // Never echo exception details: a trace id is enough to find the log line.
            ctx.ProblemDetails.Extensions.Remove("exception");
            ctx.ProblemDetails.Extensions["trace_id"] = ctx.HttpContext.TraceIdentifier;
        });
        // A busy, locked, full or unreachable store answers 503 + Retry-After, never 500.
        builder.Services.AddExceptionHandler<StoreUnavailableHandler>();
        builder.Services.AddOpenApi();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ServerSecrets>();
        return builder;
    }

    public static WebApplication UseServiceDefaults(this WebApplication app)
    {
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            StatusCodeSelector = StatusFor,
            // A body the client cut short or got wrong is its error, not the server's: answered 4xx and kept out of
            // the error log and the error metrics. A cancellation the client did not cause (a timeout inside) stays
            // logged. What an IExceptionHandler answered (the store's 503) logged its own line, as by default.
            SuppressDiagnosticsCallback = ctx => ctx.ExceptionHandledBy == ExceptionHandledType.ExceptionHandlerService
                || (ctx.Exception is OperationCanceledException
                    ? ctx.HttpContext.RequestAborted.IsCancellationRequested
                    : StatusFor(ctx.Exception) < StatusCodes.Status500InternalServerError),
        });
        app.UseStatusCodePages();
        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        app.MapScalarApiReference("/docs", o => o.WithTitle("Halo API").WithOpenApiRoutePattern("/openapi/{documentName}.json")).AllowAnonymous();
        return app;
    }

    private static int StatusFor(Exception exception) => exception switch
    {
        BadHttpRequestException b => b.StatusCode,
        JsonException => StatusCodes.Status400BadRequest,
        OperationCanceledException => StatusCodes.Status400BadRequest,
        _ => StatusCodes.Status500InternalServerError,
    };

    /// <summary>
    /// Serves the Blazor WebAssembly app (src/Halo.Web) at "/": its static files with precompressed variants,
    /// fingerprints and ETags. Static files are public and not part of the API description.
    /// </summary>
    public static WebApplication MapHaloApp(this WebApplication app)
    {
        app.MapStaticAssets().AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    /// <summary>The app's own routes (its tabs); a browser opening one of them directly gets the app's index.html.</summary>
    public static readonly IReadOnlySet<string> AppRoutes = new HashSet<string>(["/", "/report", "/profile", "/feed", "/alerts"], StringComparer.OrdinalIgnoreCase);

    private static async Task<bool> TryServeAppShellAsync(HttpContext ctx)
    {
        if (!HttpMethods.IsGet(ctx.Request.Method) && !HttpMethods.IsHead(ctx.Request.Method)) return false;
        var path = ctx.Request.Path.Value is { Length: > 1 } p ? p.TrimEnd('/') : "/";
        if (!AppRoutes.Contains(path)) return false;
        var index = ctx.RequestServices.GetRequiredService<IWebHostEnvironment>().WebRootFileProvider.GetFileInfo("index.html");
        if (!index.Exists) return false;
        // The shell must not be cached by the browser: the service worker decides which version runs.
        ctx.Response.Headers.CacheControl = "no-cache";
        ctx.Response.ContentType = "text/html; charset=utf-8";
        ctx.Response.ContentLength = index.Length;
        if (HttpMethods.IsHead(ctx.Request.Method)) return true;
        await using var stream = index.CreateReadStream();
        await stream.CopyToAsync(ctx.Response.Body, ctx.RequestAborted);
        return true;
    }

    /// <summary>
    /// Answers requests that routing could not place before authorization runs: otherwise the secure-by-default fallback
    /// policy would turn "no such path" (404) and routing's own 405/415 rejections into 401 for anonymous callers.
    /// </summary>
    public static WebApplication UseUnroutedAnswers(this WebApplication app)
    {
        app.Use(async (ctx, next) =>
        {
            var endpoint = ctx.GetEndpoint();
            if (endpoint is null && !ctx.Response.HasStarted)
            {
                if (!await TryServeAppShellAsync(ctx)) await TypedResults.NotFound().ExecuteAsync(ctx);
                return;
            }
            // Routing's 405/415 rejection endpoints carry no metadata at all; every mapped endpoint has some.
            if (endpoint is { Metadata.Count: 0, RequestDelegate: { } reject })
            {
                await reject(ctx);
                return;
            }
            await next();
        });
        return app;
    }
}
