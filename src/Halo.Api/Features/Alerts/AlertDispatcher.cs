using Halo.Api.Features.Live;
using Microsoft.AspNetCore.SignalR;

namespace Halo.Api.Features.Alerts;

/// <summary>Delivers an alert one way (live connections, Web Push); every registered delivery runs.</summary>
public interface IAlertDelivery
{
    Task DeliverAsync(AlertOwner owner, LiveAlert alert, CancellationToken ct);
}

/// <summary>The owner's own live connections, on any instance: the user (token <c>sub</c>) or the device's group.</summary>
public sealed class HubAlertDelivery(IHubContext<LiveHub> hub, LiveMetrics metrics) : IAlertDelivery
{
    public Task DeliverAsync(AlertOwner owner, LiveAlert alert, CancellationToken ct)
    {
        metrics.MessageSent(LivePublisher.Alert);
        var clients = owner.UserId is { } user ? hub.Clients.User(user.ToString()) : hub.Clients.Group(LiveHub.DeviceGroup(owner.DeviceHash!));
        return clients.SendAsync(LivePublisher.Alert, alert, ct);
    }
}
