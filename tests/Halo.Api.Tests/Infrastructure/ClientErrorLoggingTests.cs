using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Halo.Api.Tests.Features.Reports;

namespace Halo.Api.Tests.Infrastructure;

/// <summary>
/// A request the client got wrong or cut short is the client's error: it answers 4xx (if anyone is left to answer)
/// and is not logged as the server's error.
/// </summary>
public sealed class ClientErrorLoggingTests(CutBodyFactory factory) : IClassFixture<CutBodyFactory>
{
    [Fact]
    public async Task ABodyCutShortByTheClientAnswers400AndLogsNoError()
    {
        factory.Logs.Clear();
        var res = await ClientWith(CutBodyFactory.Header).SubmitRaw("{\"description\":\"cut short\"}");

        Assert.Equal(HttpStatusCode.BadRequest, res.StatusCode);
        Assert.Equal("application/problem+json", res.Content.Headers.ContentType?.MediaType);
        var errors = factory.Logs.Entries.Where(e => e.Level >= LogLevel.Error).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Fact]
    public async Task MalformedJsonAnswers400AndLogsNoError()
    {
        factory.Logs.Clear();
        var res = await factory.CreateClient().PostAsync("/api/v1/classify",
            new StringContent("{\"description\": \"brand", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, res.StatusCode);
        Assert.Equal("application/problem+json", res.Content.Headers.ContentType?.MediaType);
        var errors = factory.Logs.Entries.Where(e => e.Level >= LogLevel.Error).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Fact]
    public async Task AFailureInsideTheServerIsStillLoggedAsAnError()
    {
        factory.Logs.Clear();
        var res = await ClientWith(CutBodyFactory.FailHeader).SubmitRaw("{\"description\":\"a fault inside\"}");

        Assert.Equal(HttpStatusCode.InternalServerError, res.StatusCode);
        Assert.Contains(factory.Logs.Entries, e => e.Level == LogLevel.Error && e.Exception is InvalidOperationException);
    }

    private HttpClient ClientWith(string header)
    {
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Add(header, "1");
        return client;
    }
}

/// <summary>
/// The app in memory, where a request carrying <see cref="Header"/> has its body end early the way Kestrel reports it
/// (a <see cref="BadHttpRequestException"/> from the body stream). On a real socket this happens only when the app
/// reads before Kestrel has seen the close (the soak's case), a race a test cannot time; the exception is the same.
/// A request carrying <see cref="FailHeader"/> has its body fail as a fault inside the server would.
/// </summary>
public sealed class CutBodyFactory : LogCapturingApiFactory
{
    public const string Header = "X-Test-Cut-Body";
    public const string FailHeader = "X-Test-Fail";

    public CutBodyFactory() : base(DbProvider.Sqlite) { }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(s => s.AddSingleton<IStartupFilter, CutBodyFilter>());
    }

    private sealed class CutBodyFilter : IStartupFilter
    {
        // Startup filters run before the app's pipeline: the body is swapped here and fails later, inside it.
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (ctx, nextMiddleware) =>
            {
                if (ctx.Request.Headers.ContainsKey(Header)) ctx.Request.Body = new CutStream(ctx.Request.Body, clientCut: true);
                else if (ctx.Request.Headers.ContainsKey(FailHeader)) ctx.Request.Body = new CutStream(ctx.Request.Body, clientCut: false);
                await nextMiddleware(ctx);
            });
            next(app);
        };
    }

    /// <summary>
    /// Gives the first read's bytes, then fails as Kestrel does when the client stops before Content-Length
    /// (<paramref name="clientCut"/>), or as a fault inside the server would.
    /// </summary>
    private sealed class CutStream(Stream inner, bool clientCut) : Stream
    {
        private bool _gaveSome;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
        {
            if (_gaveSome)
                throw clientCut
                    ? new BadHttpRequestException("Unexpected end of request content.", StatusCodes.Status400BadRequest)
                    : new InvalidOperationException("a fault inside the server");
            _gaveSome = true;
            return await inner.ReadAsync(buffer[..Math.Min(buffer.Length, 8)], ct);
        }
    }
}
