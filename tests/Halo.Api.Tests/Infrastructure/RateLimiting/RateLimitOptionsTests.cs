using Halo.Api.Infrastructure.RateLimiting;
using Microsoft.Extensions.Configuration;

namespace Halo.Api.Tests.Infrastructure.RateLimiting;

public sealed class RateLimitOptionsTests
{
    [Fact]
    public void SettingOneFieldOfAPolicyKeepsItsOtherDefaults()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["RateLimiting:Policies:report-submit:PermitLimit"] = "50",
        }).Build();

        var options = config.GetSection(RateLimitingOptions.Section).Get<RateLimitingOptions>()!;

        var submit = options.For(RateLimitPolicies.ReportSubmit);
        Assert.Equal((50, 10, 60, 500), (submit.PermitLimit, submit.DevicePermitLimit, submit.WindowSeconds, submit.NetworkLimitForAccounts));
        Assert.Equal(10, options.For(RateLimitPolicies.MediaUpload).DevicePermitLimit);
    }

    [Theory]
    [InlineData("report-submit", "DevicePermitLimit", "31")]
    [InlineData("reads", "DevicePermitLimit", "0")]
    [InlineData("auth", "NetworkPermitLimit", "0")]
    public void ADeviceLimitAboveItsPolicysLimitOrAZeroLimitStopsTheStart(string policy, string field, string value)
    {
        using var app = new HaloApiFactory(DbProvider.Sqlite).With($"RateLimiting:Policies:{policy}:{field}", value);
        var ex = Assert.ThrowsAny<Exception>(() => app.CreateClient());
        Assert.Contains("rate-limit policy", ex.ToString());
    }
}
