using Halo.Api.Features.Alerts;
using Halo.Api.Infrastructure;

namespace Halo.Api.Features.Push;

public static class PushRegistration
{
    public static WebApplicationBuilder AddPush(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<PushOptions>().Bind(builder.Configuration.GetSection(PushOptions.Section))
            .ValidateDataAnnotations()
            .Validate(o => o.Subject.StartsWith("mailto:", StringComparison.Ordinal) || o.Subject.StartsWith("https://", StringComparison.Ordinal),
                "Push:Subject must be a mailto: or https: URL (RFC 8292).")
            .ValidateOnStart();
        builder.Services.AddSingleton<VapidKeys>().AddServerSecret(VapidKeys.Secret);
        builder.Services.AddHttpClient(PushSender.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(30));
        builder.Services.AddSingleton<PushSender>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<PushSender>());
        builder.Services.AddSingleton<IAlertDelivery, PushAlertDelivery>();
        return builder;
    }
}
