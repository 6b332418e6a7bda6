using Halo.Api.Tests.Features.Media;

namespace Halo.Api.Tests.Infrastructure.Observability;

/// <summary>
/// With OTEL_EXPORTER_OTLP_ENDPOINT set, request and database spans go to that collector (a real HTTP server on
/// 127.0.0.1). Activity listeners are process-wide, so this tracer also records every other test host's requests:
/// the test runs alone, so that few others are about.
/// </summary>
[Collection(MeasuredCollection.Name)]
public sealed class OtlpExportTests
{
    [Fact]
    public async Task RequestAndDatabaseSpansAreExportedToTheConfiguredCollector()
    {
        using var collector = new FakeHttpReceiver();
        // Any test host still alive in this process records into this tracer too. A short export delay and a deep
        // queue (both standard OTEL_BSP_* settings) keep their spans from crowding this test's out, and let the spans
        // arrive while the app runs instead of racing the few seconds a shutdown gives the last flush.
        using var factory = new SqliteApiFactory();
        factory.With("OTEL_EXPORTER_OTLP_ENDPOINT", collector.BaseUrl).With("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
            .With("OTEL_BSP_SCHEDULE_DELAY", "200").With("OTEL_BSP_MAX_QUEUE_SIZE", "100000");
        var client = factory.CreateClient();
        // The requests join a trace of our own, so the spans found below are theirs and no one else's. The list page
        // is hand-written SQL (Halo's own span); the nearby read goes through EF Core (its instrumentation's span).
        var traceId = Convert.FromHexString(Guid.NewGuid().ToString("N"));
        async Task SendAsync(string path)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Add("traceparent", $"00-{Convert.ToHexStringLower(traceId)}-{Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()[..8])}-01");
            var res = await client.SendAsync(request);
            Assert.True(res.IsSuccessStatusCode, await res.Content.ReadAsStringAsync());
        }
        const string Nearby = "/api/v1/incidents/nearby?lat=59.33&lon=18.06&radius_km=2";
        await SendAsync("/api/v1/incidents?limit=5");
        await SendAsync(Nearby);

        bool Ours(OtlpSpan s) => s.TraceId.AsSpan().SequenceEqual(traceId);
        var export = await collector.WaitForAsync(r => r.Path == "/v1/traces" && OtlpSpan.Parse(r.Body).Any(s => Ours(s) && s.Name == "GET /api/v1/incidents/"), TimeSpan.FromSeconds(60));
        Assert.Equal("application/x-protobuf", export.Headers["Content-Type"]);
        Assert.All(OtlpSpan.Parse(export.Body).Where(Ours), s => Assert.Equal("halo-api", s.Service)); // the resource names the service
        bool IsIncidentsQuery(OtlpSpan s, string scope) => Ours(s) && s.Scope == scope && s.Attributes.GetValueOrDefault("db.system") == "sqlite"
            && s.Attributes.GetValueOrDefault("db.statement", "").Contains("FROM \"incidents\"", StringComparison.Ordinal);
        bool Exported(string scope) => collector.All.Any(r => r.Path == "/v1/traces" && OtlpSpan.Parse(r.Body).Any(s => IsIncidentsQuery(s, scope)));
        await collector.WaitForAsync(r => r.Path == "/v1/traces" && OtlpSpan.Parse(r.Body).Any(s => IsIncidentsQuery(s, "halo-api")), TimeSpan.FromSeconds(30));
        // EF Core caches for a moment whether anyone listens to its diagnostics, so commands just after the tracer
        // subscribed can go untraced (seen when other tests' apps ran EF in this process shortly before): ask again.
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!Exported("OpenTelemetry.Instrumentation.EntityFrameworkCore"))
        {
            Assert.True(DateTime.UtcNow < until, "No EF Core span of the nearby read was exported within 60 s.");
            await Task.Delay(500);
            await SendAsync(Nearby);
        }
    }
}
