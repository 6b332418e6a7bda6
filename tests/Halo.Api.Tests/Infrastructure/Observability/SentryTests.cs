using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Halo.Api.Tests.Infrastructure.Observability;

/// <summary>
/// With <c>SENTRY_DSN</c> set, failures reach Sentry (here a real HTTP server on 127.0.0.1 standing in for it) without
/// a reporter's position, e-mail address or client address, wherever the request or the message carried them.
/// </summary>
public sealed class SentryTests
{
    private const string Email = "ann.reporter@example.org";
    private const string Latitude = "59.329323";
    private const string Longitude = "18.068581";
    private const string ForwardedFor = "203.0.113.9";

    /// <summary>A failure deep in a request: it logs an error with PII in its values, then throws with PII in its message.</summary>
    private sealed class FailingRequest : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (HttpContext ctx, Func<Task> nextMiddleware) =>
            {
                if (!ctx.Request.Headers.ContainsKey("X-Test-Fail")) { await nextMiddleware(); return; }
                var logger = ctx.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Halo.Test");
                logger.LogError("Geocoding failed for {Email} at {Latitude},{Longitude} from {Client}", Email, Latitude, Longitude, ForwardedFor);
                throw new InvalidOperationException($"Lookup failed for {Email} near {Latitude},{Longitude} (client {ForwardedFor}, ::ffff:203.0.113.9)");
            });
            next(app);
        };
    }

    [Fact]
    public async Task AFailureReachesSentryWithNoPositionEmailOrAddressInIt()
    {
        using var sentry = new FakeHttpReceiver(200, """{"id":"00000000000000000000000000000000"}""");
        using var factory = new SqliteApiFactory();
        factory.With("SENTRY_DSN", $"http://0123456789abcdef0123456789abcdef@127.0.0.1:{sentry.Port}/42")
            .With("Network:TrustedProxies:0", TestPeerAddress.Default.ToString());
        using var app = factory.WithWebHostBuilder(b => b.ConfigureServices(s => s.AddSingleton<IStartupFilter, FailingRequest>()));
        var client = app.CreateClient();

        var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/incidents/nearby?lat={Latitude}&lon={Longitude}&email={Uri.EscapeDataString(Email)}");
        request.Headers.Add("X-Test-Fail", "1");
        request.Headers.Add("X-Forwarded-For", ForwardedFor);
        request.Headers.Add("Cookie", $"who={Email}");
        request.Headers.Add("X-Device-Id", "device-of-ann");
        try { using var res = await client.SendAsync(request); }
        catch (InvalidOperationException) { } // the in-memory server hands the unhandled exception to its caller

        var envelope = await sentry.WaitForAsync(r => r.Path == "/api/42/envelope/" && r.Text.Contains("InvalidOperationException", StringComparison.Ordinal), TimeSpan.FromSeconds(20));
        var logged = await sentry.WaitForAsync(r => r.Path == "/api/42/envelope/" && r.Text.Contains("Geocoding failed", StringComparison.Ordinal), TimeSpan.FromSeconds(20));
        foreach (var text in sentry.All.Select(r => r.Text))
        {
            foreach (var secret in new[] { Email, "ann.reporter", "example.org", "lat=", Latitude, Longitude, ForwardedFor, TestPeerAddress.Default.ToString(), "device-of-ann", "59.3293", "18.0685" })
                Assert.False(text.Contains(secret, StringComparison.Ordinal), $"Sentry received '{secret}':\n{text}");
        }
        Assert.Contains("\"type\":\"event\"", envelope.Text);
        Assert.Contains("/api/v1/incidents/nearby", envelope.Text);
        Assert.Contains("[email]", envelope.Text);
        Assert.Contains("[email]", logged.Text);
    }

    [Theory]
    [InlineData("user bo@example.se at 59.3293231,18.0685808", "user [email] at [number],[number]")]
    [InlineData("from 2001:db8::1 and 10.1.2.3", "from [ip] and [ip]")]
    [InlineData("report 42 took 1.5 s at 12:30:01", "report 42 took 1.5 s at 12:30:01")]
    [InlineData("GET http://h/api/v1/incidents/nearby?lat=59.3&email=a%40b.se - 200", "GET http://h/api/v1/incidents/nearby?[query] - 200")]
    [InlineData("is it busy? retry", "is it busy? retry")]
    public void MaskingHidesAddressesAndCoordinatesButKeepsOrdinaryNumbers(string text, string masked) =>
        Assert.Equal(masked, Halo.Api.Infrastructure.Observability.SentrySetup.Mask(text));
}
