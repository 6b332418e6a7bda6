using System.Text;

namespace Halo.Api.Tests.Infrastructure.Observability;

/// <summary>With OTEL_EXPORTER_OTLP_ENDPOINT set, request and database spans go to that collector (a real HTTP server on 127.0.0.1).</summary>
public sealed class OtlpExportTests
{
    [Fact]
    public async Task RequestAndDatabaseSpansAreExportedToTheConfiguredCollector()
    {
        using var collector = new FakeHttpReceiver();
        var factory = new SqliteApiFactory();
        factory.With("OTEL_EXPORTER_OTLP_ENDPOINT", collector.BaseUrl).With("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf");
        try
        {
            var res = await factory.CreateClient().GetAsync("/api/v1/incidents?limit=5");
            Assert.True(res.IsSuccessStatusCode, await res.Content.ReadAsStringAsync());
        }
        finally
        {
            // Shutting down flushes the batch exporter.
            factory.Dispose();
        }
        var traces = await collector.WaitForAsync(r => r.Path == "/v1/traces" && Contains(r.Body, "/api/v1/incidents"), TimeSpan.FromSeconds(20));
        Assert.Equal("application/x-protobuf", traces.Headers["Content-Type"]);
        Assert.True(Contains(traces.Body, "halo-api"), "the spans name the service");
        // EF Core's span of the page query, on the same export.
        Assert.True(collector.All.Any(r => r.Path == "/v1/traces" && Contains(r.Body, "sqlite")), "a database span was exported");
    }

    private static bool Contains(byte[] protobuf, string text) => protobuf.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0;
}
