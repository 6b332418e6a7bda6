using System.Net;
using System.Net.Sockets;

namespace Halo.Api.Tests.Infrastructure;

/// <summary>
/// A TCP port on 127.0.0.1 that forwards to a real server until <see cref="Close"/>: then its connections are cut and
/// the port refuses new ones, as when a database server goes away under a running app.
/// </summary>
public sealed class TcpForwarder : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _closed = new();
    private readonly List<TcpClient> _connections = [];
    private readonly string _host;
    private readonly int _port;

    public TcpForwarder(string host, int port)
    {
        (_host, _port) = (host, port);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _ = AcceptAsync();
    }

    public int Port { get; }

    private async Task AcceptAsync()
    {
        while (!_closed.IsCancellationRequested)
        {
            TcpClient inbound;
            try { inbound = await _listener.AcceptTcpClientAsync(_closed.Token); }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { return; }
            // Not awaited: a slow connect to the server must not hold up the connections queued behind it.
            _ = ForwardAsync(inbound);
        }
    }

    private async Task ForwardAsync(TcpClient inbound)
    {
        var outbound = new TcpClient();
        try { await outbound.ConnectAsync(_host, _port, _closed.Token); }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            inbound.Dispose();
            outbound.Dispose();
            return;
        }
        lock (_connections)
        {
            // Close() may have run while this one connected, after cutting the others.
            if (_closed.IsCancellationRequested)
            {
                inbound.Dispose();
                outbound.Dispose();
                return;
            }
            _connections.AddRange([inbound, outbound]);
        }
        _ = PumpAsync(inbound.GetStream(), outbound.GetStream(), inbound, outbound);
        _ = PumpAsync(outbound.GetStream(), inbound.GetStream(), inbound, outbound);
    }

    private async Task PumpAsync(NetworkStream from, NetworkStream to, TcpClient a, TcpClient b)
    {
        try { await from.CopyToAsync(to, _closed.Token); }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException or SocketException) { }
        a.Dispose();
        b.Dispose();
    }

    /// <summary>Cuts every forwarded connection and closes the port.</summary>
    public void Close()
    {
        lock (_connections)
        {
            if (_closed.IsCancellationRequested) return;
            _closed.Cancel();
            _listener.Stop();
            foreach (var c in _connections) c.Dispose();
        }
    }

    public void Dispose()
    {
        Close();
        _closed.Dispose();
    }
}
