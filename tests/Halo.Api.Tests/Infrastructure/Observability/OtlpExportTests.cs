using System.Text;
using Halo.Api.Tests.Features.Media;

namespace Halo.Api.Tests.Infrastructure.Observability;

/// <summary>
/// With OTEL_EXPORTER_OTLP_ENDPOINT set, request and database spans go to that collector (a real HTTP server on
/// 127.0.0.1). Activity listeners are process-wide, so this tracer also records every other test host's requests:
/// the test runs alone, or their spans would fill the export queue and push its own out.
/// </summary>
[Collection(MeasuredCollection.Name)]
public sealed class OtlpExportTests
{
    [Fact]
    public async Task RequestAndDatabaseSpansAreExportedToTheConfiguredCollector()
    {
        using var collector = new FakeHttpReceiver();
        var factory = new SqliteApiFactory();
        factory.With("OTEL_EXPORTER_OTLP_ENDPOINT", collector.BaseUrl).With("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf");
        // The request joins a trace of our own, so the spans found below are this request's and no one else's.
        var traceId = Convert.FromHexString(Guid.NewGuid().ToString("N"));
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/incidents?limit=5");
            request.Headers.Add("traceparent", $"00-{Convert.ToHexStringLower(traceId)}-{Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()[..8])}-01");
            var res = await factory.CreateClient().SendAsync(request);
            Assert.True(res.IsSuccessStatusCode, await res.Content.ReadAsStringAsync());
        }
        finally
        {
            // Shutting down flushes the batch exporter.
            factory.Dispose();
        }
        var traces = await collector.WaitForAsync(r => r.Path == "/v1/traces" && Contains(r.Body, traceId) && Contains(r.Body, "/api/v1/incidents"), TimeSpan.FromSeconds(20));
        Assert.Equal("application/x-protobuf", traces.Headers["Content-Type"]);
        Assert.True(Contains(traces.Body, "halo-api"), "the spans name the service");
        // EF Core's span of the page query, in the same trace.
        Assert.True(collector.All.Any(r => r.Path == "/v1/traces" && Contains(r.Body, traceId) && Contains(r.Body, "sqlite")), "a database span was exported");
    }

    private static bool Contains(byte[] protobuf, string text) => Contains(protobuf, Encoding.UTF8.GetBytes(text));

    private static bool Contains(byte[] protobuf, byte[] bytes) => protobuf.AsSpan().IndexOf(bytes) >= 0;
}
