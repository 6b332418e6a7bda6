namespace Halo.Api.Features.Classification;

public static class ClassificationRegistration
{
    public static WebApplicationBuilder AddClassification(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ClassificationOptions>().Bind(builder.Configuration.GetSection(ClassificationOptions.Section))
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<ClassifierService>();
        builder.Services.AddHostedService<ClassifierStartup>();
        // Every registered source feeds each retrain; citizen feedback adds one more here (docs/classification.md).
        builder.Services.AddScoped<IClassifierExampleSource, PolisenExampleSource>();
        builder.Services.AddScoped<IClassifierExampleSource, CitizenExampleSource>();
        return builder;
    }
}
