using System.Text.Json;
using System.Threading.Channels;
using Halo.Api.Features.Live;
using Halo.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Http.Connections.Client;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Halo.Api.Tests.Features.Live;

/// <summary>A .NET SignalR client on /hubs/live that records every server message in arrival order.</summary>
public sealed class LiveTestClient : IAsyncDisposable
{
    public static readonly string[] MessageTypes =
        [LivePublisher.IncidentCreated, LivePublisher.IncidentUpdated, LivePublisher.ClusterUpdated, LivePublisher.PredictionsUpdatedMessage, LivePublisher.Alert];

    private readonly Channel<(string Type, JsonElement Payload)> _inbox = Channel.CreateUnbounded<(string, JsonElement)>();

    public HubConnection Connection { get; }

    /// <summary>The last area subscribed: resubscribed after every reconnect, as docs/live.md tells clients to.</summary>
    public LiveArea? Area { get; private set; }

    public int Reconnects { get; private set; }

    private LiveTestClient(Uri server, string? accessToken, Action<HttpConnectionOptions>? configure)
    {
        Connection = new HubConnectionBuilder()
            .WithUrl(new Uri(server, LiveRegistration.HubPath), o =>
            {
                o.Transports = HttpTransportType.WebSockets;
                if (accessToken is not null) o.AccessTokenProvider = () => Task.FromResult<string?>(accessToken);
                configure?.Invoke(o);
            })
            .AddJsonProtocol(o => o.PayloadSerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower)
            .WithStatefulReconnect()
            .WithAutomaticReconnect(new Backoff())
            .Build();
        foreach (var type in MessageTypes)
            Connection.On<JsonElement>(type, payload => _inbox.Writer.TryWrite((type, payload)));
        Connection.Reconnected += async _ =>
        {
            if (Area is not null) await Connection.InvokeAsync<LiveSubscription>("Subscribe", Area);
            Reconnects++; // counted once resubscribed: from here on the areas are joined again
        };
    }

    public static Uri ServerOf(HaloApiFactory factory)
    {
        using var client = factory.CreateClient();
        return client.BaseAddress!;
    }

    /// <param name="configure">More connection options, e.g. which TLS certificate to trust (through a proxy).</param>
    public static async Task<LiveTestClient> ConnectAsync(Uri server, string? accessToken = null, Action<HttpConnectionOptions>? configure = null)
    {
        var client = new LiveTestClient(server, accessToken, configure);
        await client.Connection.StartAsync();
        return client;
    }

    public static Task<LiveTestClient> ConnectAsync(HaloApiFactory factory, string? accessToken = null) => ConnectAsync(ServerOf(factory), accessToken);

    public async Task<LiveSubscription> SubscribeAsync(double minLat, double minLon, double maxLat, double maxLon)
    {
        Area = new LiveArea(minLat, minLon, maxLat, maxLon);
        return await Connection.InvokeAsync<LiveSubscription>("Subscribe", Area);
    }

    /// <summary>The next message, or a failure after <paramref name="seconds"/> (a bound for a broken test, not a measurement).</summary>
    public async Task<(string Type, JsonElement Payload)> NextAsync(int seconds = 30)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        try { return await _inbox.Reader.ReadAsync(timeout.Token); }
        catch (OperationCanceledException)
        {
            // What a rare miss on a loaded machine needs to be told apart: a dropped connection or a message never sent.
            throw new TimeoutException($"No live message within {seconds} s (connection {Connection.State}, {Reconnects} reconnects, last area {Area}).");
        }
    }

    /// <summary>The next message of this type, skipping others.</summary>
    public async Task<JsonElement> NextOfAsync(string type, int seconds = 30)
    {
        while (true)
        {
            var (t, payload) = await NextAsync(seconds);
            if (t == type) return payload;
        }
    }

    public bool HasPending => _inbox.Reader.TryPeek(out _);

    public async ValueTask DisposeAsync() => await Connection.DisposeAsync();

    /// <summary>
    /// Retries quickly at first, then every 2 s for as long as a restarting server may take on a loaded machine (a
    /// fixed list of delays gives up after its last one, while the server may still be starting).
    /// </summary>
    private sealed class Backoff : IRetryPolicy
    {
        private static readonly TimeSpan[] First = [TimeSpan.Zero, TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1)];

        public TimeSpan? NextRetryDelay(RetryContext context) =>
            context.ElapsedTime > TimeSpan.FromMinutes(4) ? null
            : context.PreviousRetryCount < First.Length ? First[context.PreviousRetryCount] : TimeSpan.FromSeconds(2);
    }
}

public static class KestrelFactories
{
    /// <summary>The factory's app on a real Kestrel socket on 127.0.0.1 (WebSockets need one).</summary>
    public static HaloApiFactory OnKestrel(this HaloApiFactory factory)
    {
        factory.UseKestrel(0);
        factory.StartServer();
        return factory;
    }

    public static ILiveNotifications Live(this HaloApiFactory factory) => factory.Services.GetRequiredService<ILiveNotifications>();
}
