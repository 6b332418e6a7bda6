using Halo.Api.Features.Predictions.Serving;

namespace Halo.Api.Features.Predictions;

public static class PredictionsRegistration
{
    public static WebApplicationBuilder AddPredictions(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<PredictionOptions>().Bind(builder.Configuration.GetSection(PredictionOptions.Section))
            .ValidateDataAnnotations()
            .Validate(o => o.MediumFrom < o.HighFrom && o.HighFrom < o.CriticalFrom, "Risk levels must rise: MediumFrom < HighFrom < CriticalFrom.")
            .Validate(o => { try { o.TimeZone(); return true; } catch (TimeZoneNotFoundException) { return false; } }, "ProfileTimeZone is not a known time zone.")
            .ValidateOnStart();
        builder.Services.AddSingleton<RiskModelService>();
        builder.Services.AddSingleton<ReportCardCache>();
        builder.Services.AddHostedService<PredictionStartup>();
        return builder;
    }
}
