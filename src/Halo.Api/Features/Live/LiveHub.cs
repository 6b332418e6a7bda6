using Halo.Api.Features.Reports;
using Halo.Api.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace Halo.Api.Features.Live;

/// <summary>
/// <c>/hubs/live</c>. Anonymous connections are welcome. Client → server: <c>Subscribe(area)</c> (replaces the
/// connection's areas), <c>Unsubscribe()</c>, <c>Identify(deviceId)</c> (personal alerts of an anonymous device).
/// Server → client: <c>incident_created</c>, <c>incident_updated</c>, <c>cluster_updated</c>,
/// <c>predictions_updated</c>, <c>alert</c> (docs/live.md).
/// </summary>
[AllowAnonymous]
public sealed class LiveHub(IOptions<LiveOptions> options, DeviceIdentity devices, LiveMetrics metrics, LiveConnections connections,
    ILogger<LiveHub> logger) : Hub
{
    private const string GroupsKey = "halo.groups";
    private const string DeviceKey = "halo.device";
    private const string NetworkKey = "halo.network";

    public static string UserGroup(string userId) => "user:" + userId;
    public static string DeviceGroup(string deviceHash) => "device:" + deviceHash;

    public override async Task OnConnectedAsync()
    {
        var network = Context.GetHttpContext() is { } http ? ClientNetwork.Of(http) : ClientNetwork.Unknown;
        if (!connections.TryOpen(network, options.Value.MaxConnectionsPerNetwork))
        {
            // Closed at once, without an error: the client's reconnect backs off, and its negotiations count as reads.
            metrics.Refused("connections");
            logger.LogDebug("Live connection from {Network} closed: Live:MaxConnectionsPerNetwork are open", network);
            Context.Abort();
            return;
        }
        Context.Items[NetworkKey] = network;
        metrics.Connected();
        // Signed-in connections get the user's personal messages (Clients.User uses the "sub" claim, LiveUserIds).
        await base.OnConnectedAsync();
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        // Only a connection that was counted in is counted out.
        if (Context.Items.TryGetValue(NetworkKey, out var network) && network is string counted)
        {
            connections.Close(counted);
            metrics.Disconnected();
        }
        return base.OnDisconnectedAsync(exception);
    }

    /// <summary>
    /// Watches the box (replacing what this connection watched); answers the resolution and cells joined. A box too large
    /// for the group limit even at the coarsest resolution is shrunk about its centre, by half each way, until it fits:
    /// a map zoomed out watches its middle. Refusing it instead made every zoomed-out map a failed call, and cost its
    /// client a round trip per halving.
    /// </summary>
    public async Task<LiveSubscription> Subscribe(LiveArea area)
    {
        if (area is null) throw new HubException("An area {min_lat, min_lon, max_lat, max_lon} is required.");
        if (!(area.MinLat is >= -90 and <= 90 && area.MaxLat is >= -90 and <= 90 && area.MinLon is >= -180 and <= 180 && area.MaxLon is >= -180 and <= 180))
            throw new HubException("Latitudes must be within −90…90 and longitudes within −180…180.");
        if (area.MinLat > area.MaxLat || area.MinLon > area.MaxLon)
            throw new HubException("min_lat/min_lon must not exceed max_lat/max_lon.");
        var max = options.Value.MaxGroupsPerConnection;
        var (watched, cover) = LiveAreas.CoverOrMiddle(area, max)
            ?? throw new HubException($"No area fits in {max} cells (Live:MaxGroupsPerConnection is set below what one place needs).");

        var wanted = cover.Cells.Select(LiveAreas.Group).ToHashSet(StringComparer.Ordinal);
        var current = Context.Items.TryGetValue(GroupsKey, out var g) && g is HashSet<string> set ? set : [];
        foreach (var old in current.Where(x => !wanted.Contains(x))) await Groups.RemoveFromGroupAsync(Context.ConnectionId, old);
        foreach (var add in wanted.Where(x => !current.Contains(x))) await Groups.AddToGroupAsync(Context.ConnectionId, add);
        Context.Items[GroupsKey] = wanted;
        return new LiveSubscription(cover.Resolution, cover.Cells.Select(c => c.ToString("x")).ToList(), !ReferenceEquals(watched, area), watched);
    }

    /// <summary>Leaves every area group of this connection.</summary>
    public async Task Unsubscribe()
    {
        if (Context.Items.TryGetValue(GroupsKey, out var g) && g is HashSet<string> set)
            foreach (var old in set) await Groups.RemoveFromGroupAsync(Context.ConnectionId, old);
        Context.Items.Remove(GroupsKey);
    }

    /// <summary>
    /// Names the app's device id (the X-Device-Id it sends elsewhere), so alerts for this device reach this connection.
    /// Only its keyed hash is kept, as everywhere.
    /// </summary>
    public async Task Identify(string deviceId)
    {
        if (string.IsNullOrWhiteSpace(deviceId) || deviceId.Length is < 8 or > 200) throw new HubException("device_id must be 8–200 characters.");
        if (Context.Items.TryGetValue(DeviceKey, out var old) && old is string oldGroup)
            await Groups.RemoveFromGroupAsync(Context.ConnectionId, oldGroup);
        var group = DeviceGroup(devices.Hash(deviceId));
        await Groups.AddToGroupAsync(Context.ConnectionId, group);
        Context.Items[DeviceKey] = group;
    }
}

/// <summary>A connection's user is the token's <c>sub</c> (Halo's tokens keep their claim names).</summary>
public sealed class LiveUserIds : IUserIdProvider
{
    public string? GetUserId(HubConnectionContext connection) => connection.User?.FindFirst("sub")?.Value;
}
