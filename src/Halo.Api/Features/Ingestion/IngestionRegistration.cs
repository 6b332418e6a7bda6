using Halo.Api.Features.Geo;
using Halo.Api.Features.Ingestion.Geocoding;
using Halo.Api.Features.Ingestion.Polisen;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Telemetry;

namespace Halo.Api.Features.Ingestion;

public static class IngestionRegistration
{
    private const string PolisenHandler = "polisen";

    // How Microsoft.Extensions.Http.Resilience names a handler's pipeline: "{client}-{handler}".
    private static readonly string PolisenPipeline = $"{PolisenPoller.HttpClientName}-{PolisenHandler}";

    /// <summary>Police parsing, the shared importer, the first-run sample, the poller, geocoding and the <c>import</c> command.</summary>
    public static WebApplicationBuilder AddIngestion(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<PolisenPollerOptions>().BindConfiguration(PolisenPollerOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<GeocodingOptions>().BindConfiguration(GeocodingOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.HasValidUrl, "Geocoding:Url must be empty or an absolute http(s) URL.").ValidateOnStart();

        services.AddSingleton(_ => SwedishAreas.Load(SwedishAreas.DefaultResourceDirectory));
        services.AddSingleton<PolisenEventParser>();
        services.AddScoped<IncidentImporter>();
        services.AddScoped<LocationRefiner>();
        services.AddHostedService<SampleSeeder>();

        services.AddSingleton<PolisenPoller>();
        services.AddHostedService<PolisenPollerJob>();
        services.AddHttpClient(PolisenPoller.HttpClientName, (sp, http) =>
            {
                var o = sp.GetRequiredService<IOptions<PolisenPollerOptions>>().Value;
                http.BaseAddress = new Uri(o.BaseUrl);
                http.DefaultRequestHeaders.UserAgent.ParseAdd(o.UserAgent);
                http.DefaultRequestHeaders.Accept.ParseAdd("application/json");
                http.Timeout = Timeout.InfiniteTimeSpan; // the resilience pipeline owns timeouts
            })
            .AddResilienceHandler(PolisenHandler, (pipeline, context) =>
            {
                var o = context.ServiceProvider.GetRequiredService<IOptions<PolisenPollerOptions>>().Value;
                pipeline.AddTimeout(o.TotalTimeout);
                if (o.MaxRetries > 0)
                {
                    pipeline.AddRetry(new HttpRetryStrategyOptions
                    {
                        MaxRetryAttempts = o.MaxRetries,
                        Delay = o.RetryDelay,
                        BackoffType = DelayBackoffType.Exponential,
                        UseJitter = true,
                        ShouldRetryAfterHeader = true,
                        // Transient failures are retried, but a Retry-After longer than we will wait ends the run:
                        // the poller then holds off until that time instead of blocking here.
                        ShouldHandle = args => ValueTask.FromResult(
                            HttpClientResiliencePredicates.IsTransient(args.Outcome)
                            && !(args.Outcome.Result?.Headers.RetryAfter?.Delta > o.MaxRetryAfterWait)),
                    });
                }
                pipeline.AddTimeout(o.AttemptTimeout);
            });

        // Polly logs each failed attempt at polisen.se as an error with its stack trace; an outside service that fails
        // is a warning here, and the poller gives one per run (the shipped log shows Polly from Error up).
        services.Configure<TelemetryOptions>(t =>
        {
            var inner = t.SeverityProvider;
            t.SeverityProvider = args =>
            {
                var severity = inner?.Invoke(args) ?? args.Event.Severity;
                return severity == ResilienceEventSeverity.Error && args.Source.PipelineName == PolisenPipeline
                    ? ResilienceEventSeverity.Warning : severity;
            };
        });

        services.AddHttpClient(LocationRefiner.HttpClientName, (sp, http) =>
        {
            var o = sp.GetRequiredService<IOptions<GeocodingOptions>>().Value;
            http.DefaultRequestHeaders.UserAgent.ParseAdd(o.UserAgent);
            http.Timeout = o.Timeout;
        });
        return builder;
    }

    public static IEndpointRouteBuilder MapIngestion(this IEndpointRouteBuilder app)
    {
        app.MapIngestionEndpoints();
        return app;
    }
}
