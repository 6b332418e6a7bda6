using System.IO.Compression;
using System.Net;
using System.Net.Sockets;

namespace Halo.Api.Tests.Infrastructure;

/// <summary>
/// A real HTTP server on 127.0.0.1 standing in for an outside collector (Sentry, an OTLP endpoint): it answers every
/// request with the status it was given and keeps what it received, bodies decompressed.
/// </summary>
public sealed class FakeHttpReceiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly List<Received> _all = [];

    public sealed record Received(string Method, string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body)
    {
        public string Text => System.Text.Encoding.UTF8.GetString(Body);
    }

    public FakeHttpReceiver(int status = 200, string responseBody = "{}")
    {
        Port = FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _ = Task.Run(async () =>
        {
            while (_listener.IsListening)
            {
                HttpListenerContext ctx;
                try { ctx = await _listener.GetContextAsync(); }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; }
                using var body = new MemoryStream();
                Stream input = ctx.Request.InputStream;
                input = ctx.Request.Headers["Content-Encoding"] switch
                {
                    "gzip" => new GZipStream(input, CompressionMode.Decompress),
                    "deflate" => new ZLibStream(input, CompressionMode.Decompress),
                    "br" => new BrotliStream(input, CompressionMode.Decompress),
                    _ => input,
                };
                await input.CopyToAsync(body);
                var headers = ctx.Request.Headers.AllKeys.Where(k => k is not null).ToDictionary(k => k!, k => ctx.Request.Headers[k] ?? "", StringComparer.OrdinalIgnoreCase);
                var received = new Received(ctx.Request.HttpMethod, ctx.Request.Url!.AbsolutePath, headers, body.ToArray());
                lock (_all) _all.Add(received);
                ctx.Response.StatusCode = status;
                var bytes = System.Text.Encoding.UTF8.GetBytes(responseBody);
                ctx.Response.ContentType = "application/json";
                await ctx.Response.OutputStream.WriteAsync(bytes);
                ctx.Response.Close();
            }
        });
    }

    public int Port { get; }
    public string BaseUrl => $"http://127.0.0.1:{Port}";

    public IReadOnlyList<Received> All { get { lock (_all) return [.. _all]; } }

    /// <summary>The first request (already received or still to come) that <paramref name="match"/> accepts, within <paramref name="timeout"/>.</summary>
    public async Task<Received> WaitForAsync(Func<Received, bool> match, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < until)
        {
            if (All.FirstOrDefault(match) is { } found) return found;
            await Task.Delay(100);
        }
        throw new Xunit.Sdk.XunitException($"No matching request within {timeout}; received:\n{string.Join("\n", All.Select(r => r.Method + " " + r.Path + " " + r.Text))}");
    }

    public static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
    }
}
