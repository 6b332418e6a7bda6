using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Halo.Api.Features.Media;
using Halo.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using static Halo.Api.Tests.Features.Reports.ReportTestHelpers;

namespace Halo.Api.Tests.Features.Media;

/// <summary>The app on a Kestrel socket, keeping its log: a client that closes the connection never sees the answer,
/// but the request's end (status code, or an unhandled exception) is logged.</summary>
public sealed class MediaKestrelFactory : HaloApiFactory
{
    public MediaKestrelFactory() : base(DbProvider.Sqlite)
    {
        With("Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics", "Information");
        UseKestrel(0);
        StartServer();
    }

    public ConcurrentQueue<(string Category, LogLevel Level, string Message, Exception? Exception)> Logs { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(s => s.AddSingleton<ILoggerProvider>(new Capture(Logs)));
    }

    private sealed class Capture(ConcurrentQueue<(string, LogLevel, string, Exception?)> logs) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, logs);
        public void Dispose() { }
    }

    private sealed class Logger(string category, ConcurrentQueue<(string, LogLevel, string, Exception?)> logs) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            logs.Enqueue((category, logLevel, formatter(state, exception), exception));
    }
}

/// <summary>Broken multipart bodies, on a real Kestrel socket (the in-memory server cannot send a body shorter than its
/// Content-Length).</summary>
public sealed class MediaMultipartTests(MediaKestrelFactory factory) : IClassFixture<MediaKestrelFactory>
{
    private const string Boundary = "halo-test-boundary";
    private string MediaDir => Path.Combine(factory.DataDirectory, "media");

    private static byte[] MultipartHead() => Encoding.ASCII.GetBytes(
        $"--{Boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\nContent-Type: audio/wav\r\n\r\n");

    private static byte[] MultipartTail() => Encoding.ASCII.GetBytes($"\r\n--{Boundary}--\r\n");

    private async Task<Socket> Send(byte[] body, long contentLength, string device)
    {
        var port = factory.CreateClient().BaseAddress!.Port;
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, port);
        var head = Encoding.ASCII.GetBytes(
            $"POST /api/v1/media?device={device} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n" +
            $"Content-Type: multipart/form-data; boundary={Boundary}\r\nContent-Length: {contentLength}\r\n" +
            $"{MediaEndpoints.DeviceHeader}: {device}\r\nConnection: close\r\n\r\n");
        await socket.SendAsync(head);
        await socket.SendAsync(body);
        return socket;
    }

    private static async Task<(int Status, string Head, string Body)> Receive(Socket socket)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var response = new MemoryStream();
        var buffer = new byte[8192];
        int n;
        while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token)) > 0) response.Write(buffer, 0, n);
        var text = Encoding.UTF8.GetString(response.ToArray());
        var split = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        Assert.True(split > 0, $"no HTTP response: '{text}'");
        return (int.Parse(text.AsSpan(9, 3), provider: System.Globalization.CultureInfo.InvariantCulture), text[..split], text[(split + 4)..]);
    }

    /// <summary>What the server logged about the request tagged with <paramref name="device"/>, once it has ended.</summary>
    private async Task<List<(string Category, LogLevel Level, string Message, Exception? Exception)>> RequestLog(string device)
    {
        var until = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < until)
        {
            if (factory.Logs.Any(l => l.Message.StartsWith("Request finished", StringComparison.Ordinal) && l.Message.Contains(device))) break;
            await Task.Delay(20);
        }
        return [.. factory.Logs];
    }

    [Fact]
    public async Task BodyCutShortByAClosedConnectionEndsAsTheClientsFaultNotAServerError()
    {
        var device = NewDevice();
        byte[] body = [.. MultipartHead(), .. TestFiles.Wav(200_000)];
        using (var socket = await Send(body[..(body.Length / 2)], body.Length + MultipartTail().Length, device))
        {
            // Half-close: the body ends early, then wait for the server to close its side too.
            socket.Shutdown(SocketShutdown.Send);
            var buffer = new byte[8192];
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while (await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token) > 0) { }
        }
        var logs = await RequestLog(device);
        var finished = logs.Single(l => l.Message.StartsWith("Request finished", StringComparison.Ordinal) && l.Message.Contains(device));
        // The endpoint answers 400; when the client has already closed its side, Kestrel records 499 (client closed
        // request) instead, as nobody is left to read the answer. Never a server error.
        Assert.True(finished.Message.Contains(" - 400 ") || finished.Message.Contains(" - 499 "), finished.Message);
        Assert.DoesNotContain(logs, l => l.Level >= LogLevel.Error);
        Assert.Empty(Directory.Exists(MediaDir) ? Directory.GetFiles(MediaDir, "*.part") : []);
    }

    [Fact]
    public async Task BodyWithoutItsClosingBoundaryIs400ProblemDetails()
    {
        var device = NewDevice();
        byte[] body = [.. MultipartHead(), .. TestFiles.Wav(20_000)];
        using var socket = await Send(body, body.Length, device);
        var (status, head, text) = await Receive(socket);
        Assert.Equal(400, status);
        Assert.Contains("application/problem+json", head);
        Assert.Contains("Malformed multipart body", text);
        Assert.DoesNotContain(await RequestLog(device), l => l.Level >= LogLevel.Error);
    }

    [Fact]
    public async Task CompleteBodyOnTheSameSocketIsStored()
    {
        // The requests above differ from this one only in what they leave out.
        var device = NewDevice();
        byte[] body = [.. MultipartHead(), .. TestFiles.Wav(20_000), .. MultipartTail()];
        using var socket = await Send(body, body.Length, device);
        var (status, _, text) = await Receive(socket);
        Assert.True(status == 201, text);
    }
}
