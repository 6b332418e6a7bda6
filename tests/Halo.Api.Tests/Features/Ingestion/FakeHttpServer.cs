using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Halo.Api.Tests.Features.Ingestion;

/// <summary>
/// A real HTTP server on 127.0.0.1 (Kestrel, random port) that answers each request with the next scripted
/// behaviour, or with <see cref="Default"/> once the script is used up. Records every request.
/// </summary>
public sealed class FakeHttpServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Func<HttpContext, Task>> _script = new();

    public ConcurrentQueue<(DateTimeOffset At, string PathAndQuery, string? UserAgent)> Requests { get; } = new();
    public Func<HttpContext, Task> Default { get; set; } = ctx => { ctx.Response.StatusCode = 404; return Task.CompletedTask; };
    public string BaseUrl { get; }

    private FakeHttpServer(WebApplication app, string baseUrl) => (_app, BaseUrl) = (app, baseUrl);

    public static async Task<FakeHttpServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        FakeHttpServer? server = null;
        app.Run(async ctx =>
        {
            server!.Requests.Enqueue((DateTimeOffset.UtcNow, ctx.Request.Path + ctx.Request.QueryString, ctx.Request.Headers.UserAgent.ToString()));
            var next = server._script.TryDequeue(out var scripted) ? scripted : server.Default;
            await next(ctx);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server = new FakeHttpServer(app, address);
        return server;
    }

    public void Enqueue(params Func<HttpContext, Task>[] behaviours)
    {
        foreach (var b in behaviours) _script.Enqueue(b);
    }

    public static Func<HttpContext, Task> Json(string body, int status = 200) => async ctx =>
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        await ctx.Response.WriteAsync(body);
    };

    public static Func<HttpContext, Task> Status(int status, string? retryAfter = null) => ctx =>
    {
        ctx.Response.StatusCode = status;
        if (retryAfter is not null) ctx.Response.Headers.RetryAfter = retryAfter;
        return Task.CompletedTask;
    };

    /// <summary>Never answers in time (until the client gives up).</summary>
    public static Func<HttpContext, Task> Hang(TimeSpan duration) => async ctx =>
    {
        try { await Task.Delay(duration, ctx.RequestAborted); }
        catch (OperationCanceledException) { return; }
        ctx.Response.StatusCode = 200;
    };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
