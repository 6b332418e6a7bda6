using System.Text.Json;
using Halo.Api.Data;
using Halo.Api.Features.Alerts;
using Halo.Api.Features.Live;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Halo.Api.Features.Push;

/// <summary>Alerts as Web Push: one queued push per subscription of the owner (the sender delivers them).</summary>
public sealed class PushAlertDelivery(IServiceScopeFactory scopes, PushSender sender, IOptions<PushOptions> options, TimeProvider clock) : IAlertDelivery
{
    public async Task DeliverAsync(AlertOwner owner, LiveAlert alert, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HaloDbContext>();
        var subscriptions = owner.UserId is { } user
            ? db.Set<PushSubscriptionRow>().Where(s => s.UserId == user)
            : db.Set<PushSubscriptionRow>().Where(s => s.DeviceHash == owner.DeviceHash && s.UserId == null);
        var ids = await subscriptions.Select(s => s.Id).ToListAsync(ct);
        if (ids.Count == 0) return;
        var now = clock.GetUtcNow().UtcDateTime;
        var payload = JsonSerializer.Serialize(new PushPayload(alert.Title, alert.Body, alert.Type, alert.Type + ":" + (alert.IncidentId?.ToString("N") ?? alert.Cell),
            alert.IncidentId, alert.Cell, alert.Severity, alert.IncidentId is { } id ? $"/?incident={id}" : "/"), AlertsEndpoints.Json);
        foreach (var sid in ids)
            db.Add(new PushQueueItem
            {
                Id = Guid.CreateVersion7(clock.GetUtcNow()), SubscriptionId = sid, Payload = payload, Topic = null,
                Urgency = alert.Severity is 5 ? "high" : "normal", TtlSeconds = options.Value.TimeToLiveSeconds, CreatedAt = now, NotBefore = now,
            });
        await db.SaveChangesAsync(ct);
        sender.Wake();
    }
}
