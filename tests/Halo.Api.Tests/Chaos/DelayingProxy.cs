using System.Net;
using System.Net.Sockets;

namespace Halo.Api.Tests.Chaos;

/// <summary>
/// A TCP port on 127.0.0.1 in front of a real server that holds every chunk of bytes, both ways, for
/// <see cref="Delay"/> before passing it on: a slow or stuck network or database server, as the app sees it. Order is
/// kept; a delay set later applies to bytes received from then on.
/// </summary>
public sealed class DelayingProxy : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _closed = new();
    private readonly List<TcpClient> _connections = [];
    private readonly string _host;
    private readonly int _port;
    private long _delayTicks;

    public DelayingProxy(string host, int port)
    {
        (_host, _port) = (host, port);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _ = AcceptAsync();
    }

    public int Port { get; }

    public TimeSpan Delay
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _delayTicks));
        set => Interlocked.Exchange(ref _delayTicks, value.Ticks);
    }

    private async Task AcceptAsync()
    {
        while (!_closed.IsCancellationRequested)
        {
            TcpClient inbound;
            try { inbound = await _listener.AcceptTcpClientAsync(_closed.Token); }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { return; }
            _ = ConnectAsync(inbound);
        }
    }

    private async Task ConnectAsync(TcpClient inbound)
    {
        var outbound = new TcpClient();
        try
        {
            // The connection itself is delayed too: a new connection to a stuck server is stuck.
            await Task.Delay(Delay, _closed.Token);
            await outbound.ConnectAsync(_host, _port, _closed.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException)
        {
            inbound.Dispose();
            outbound.Dispose();
            return;
        }
        lock (_connections) _connections.AddRange([inbound, outbound]);
        _ = PumpAsync(inbound.GetStream(), outbound.GetStream(), inbound, outbound);
        _ = PumpAsync(outbound.GetStream(), inbound.GetStream(), inbound, outbound);
    }

    private async Task PumpAsync(NetworkStream from, NetworkStream to, TcpClient a, TcpClient b)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            int n;
            while ((n = await from.ReadAsync(buffer, _closed.Token)) > 0)
            {
                var delay = Delay;
                if (delay > TimeSpan.Zero) await Task.Delay(delay, _closed.Token);
                await to.WriteAsync(buffer.AsMemory(0, n), _closed.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException or SocketException) { }
        a.Dispose();
        b.Dispose();
    }

    public void Dispose()
    {
        _closed.Cancel();
        _listener.Stop();
        lock (_connections)
            foreach (var c in _connections) c.Dispose();
        _closed.Dispose();
    }
}
