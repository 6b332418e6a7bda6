using Halo.Api.Features.Geo;
using Halo.Api.Features.Ingestion.Polisen;
using Halo.Api.Infrastructure;

namespace Halo.Api.Features.Ingestion;

public static class IngestionRegistration
{
    /// <summary>Police parsing, the shared importer, the first-run sample, the poller, geocoding and the <c>import</c> command.</summary>
    public static WebApplicationBuilder AddIngestion(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton(_ => SwedishAreas.Load(SwedishAreas.DefaultResourceDirectory));
        services.AddSingleton<PolisenEventParser>();
        services.AddScoped<IncidentImporter>();
        services.AddHostedService<SampleSeeder>();
        services.AddTransient<ICliCommand, ImportCommand>();
        return builder;
    }

    public static IEndpointRouteBuilder MapIngestion(this IEndpointRouteBuilder app)
    {
        return app;
    }
}
