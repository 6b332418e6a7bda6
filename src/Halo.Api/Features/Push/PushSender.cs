using System.Net;
using Halo.Api.Data;
using Halo.Api.Features.Live;
using Lib.Net.Http.WebPush;
using Lib.Net.Http.WebPush.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Halo.Api.Features.Push;

/// <summary>
/// Delivers the persistent send queue (<c>push_queue</c>) with Lib.Net.Http.WebPush (RFC 8291 aes128gcm payloads,
/// RFC 8292 VAPID). Outcomes: 2xx → done; 404/410 and any other 4xx except 408/429 → the subscription is deleted (with
/// its queue and an anonymous device's preferences); 429 → retried after its Retry-After; 408, 5xx and network
/// errors → retried with exponential backoff, up to <see cref="PushOptions.MaxAttempts"/>; a push past its TTL is dropped.
/// Several instances may share the queue: an item is claimed (its NotBefore moved on, compare-and-swap) before sending.
/// </summary>
public sealed class PushSender(IServiceScopeFactory scopes, IHttpClientFactory http, VapidKeys vapid, LiveMetrics metrics,
    IOptions<PushOptions> options, TimeProvider clock, ILogger<PushSender> logger) : BackgroundService
{
    public const string HttpClientName = "web-push";
    private readonly SemaphoreSlim _wake = new(0, 1);

    /// <summary>New pushes are queued: look now instead of at the next poll.</summary>
    public void Wake()
    {
        try { _wake.Release(); } catch (SemaphoreFullException) { }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var client = new PushServiceClient(http.CreateClient(HttpClientName))
        {
            // Retry-After is honoured by the queue (persistently), not by sleeping inside the client.
            AutoRetryAfter = false,
            DefaultAuthenticationScheme = VapidAuthenticationScheme.Vapid,
        };
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await SendDueAsync(client, stoppingToken) > 0) { }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { return; }
            catch (Exception e) { logger.LogWarning(e, "The push queue could not be read; retrying at the next poll"); }
            using var poll = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            var delay = Task.Delay(TimeSpan.FromSeconds(options.Value.PollSeconds), clock, poll.Token);
            await Task.WhenAny(delay, _wake.WaitAsync(poll.Token));
            await poll.CancelAsync();
        }
    }

    /// <summary>Sends the pushes due now; returns how many were attempted.</summary>
    public async Task<int> SendDueAsync(PushServiceClient client, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HaloDbContext>();
        var now = clock.GetUtcNow().UtcDateTime;
        var due = await (from q in db.Set<PushQueueItem>().AsNoTracking()
                         join s in db.Set<PushSubscriptionRow>().AsNoTracking() on q.SubscriptionId equals s.Id
                         where q.NotBefore <= now
                         orderby q.NotBefore
                         select new { Item = q, Subscription = s }).Take(50).ToListAsync(ct);
        var attempted = 0;
        foreach (var d in due)
        {
            var item = d.Item;
            // Claim: another instance that read the same row loses the compare-and-swap.
            var claimed = await db.Set<PushQueueItem>().Where(q => q.Id == item.Id && q.NotBefore == item.NotBefore)
                .ExecuteUpdateAsync(u => u.SetProperty(q => q.NotBefore, now.AddMinutes(2)), ct);
            if (claimed == 0) continue;
            attempted++;
            var expires = item.CreatedAt.AddSeconds(item.TtlSeconds);
            if (expires <= now)
            {
                await db.Set<PushQueueItem>().Where(q => q.Id == item.Id).ExecuteDeleteAsync(ct);
                metrics.PushFailed("expired");
                continue;
            }
            await SendOneAsync(client, db, item, d.Subscription, (int)(expires - now).TotalSeconds, now, ct);
        }
        return attempted;
    }

    private async Task SendOneAsync(PushServiceClient client, HaloDbContext db, PushQueueItem item, PushSubscriptionRow row, int ttl, DateTime now,
        CancellationToken ct)
    {
        var subscription = new PushSubscription { Endpoint = row.Endpoint };
        subscription.SetKey(PushEncryptionKeyName.P256DH, row.P256dh);
        subscription.SetKey(PushEncryptionKeyName.Auth, row.Auth);
        var message = new PushMessage(item.Payload)
        {
            TimeToLive = ttl,
            Urgency = item.Urgency == "high" ? PushMessageUrgency.High : PushMessageUrgency.Normal,
            Topic = item.Topic,
        };
        using var auth = new VapidAuthentication(vapid.PublicKey, vapid.PrivateKey) { Subject = options.Value.Subject };
        HttpStatusCode? status = null;
        TimeSpan? retryAfter = null;
        string? error = null;
        try
        {
            await client.RequestPushMessageDeliveryAsync(subscription, message, auth, ct);
        }
        catch (PushServiceClientException e)
        {
            status = e.StatusCode;
            error = $"{(int)e.StatusCode} {e.Message}";
            retryAfter = e.Headers?.RetryAfter switch
            {
                { Delta: { } delta } => delta,
                { Date: { } date } => date - clock.GetUtcNow(),
                _ => null,
            };
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            error = e.GetType().Name + ": " + e.Message;
        }

        if (error is null)
        {
            await db.Set<PushQueueItem>().Where(q => q.Id == item.Id).ExecuteDeleteAsync(ct);
            await db.Set<PushSubscriptionRow>().Where(s => s.Id == row.Id).ExecuteUpdateAsync(u => u.SetProperty(s => s.LastSentAt, now), ct);
            metrics.PushSent();
            return;
        }
        var code = (int?)status;
        if (code is >= 400 and < 500 && code is not 408 and not 429)
        {
            // Gone (404/410) or refused for good (bad key, too large, bad VAPID): this subscription will never work.
            await db.Set<PushSubscriptionRow>().Where(s => s.Id == row.Id).ExecuteDeleteAsync(ct);
            metrics.PushFailed(code is 404 or 410 ? "gone" : "rejected");
            logger.LogInformation("Push subscription {Subscription} removed: the push service answered {Status}", row.Id, code);
            return;
        }
        var attempts = item.Attempts + 1;
        if (attempts >= options.Value.MaxAttempts && code != 429)
        {
            await db.Set<PushQueueItem>().Where(q => q.Id == item.Id).ExecuteDeleteAsync(ct);
            metrics.PushFailed("expired");
            return;
        }
        metrics.PushFailed("retry");
        var wait = code == 429 && retryAfter is { } ra && ra > TimeSpan.Zero ? ra : TimeSpan.FromSeconds(5 * Math.Pow(2, Math.Min(attempts - 1, 10)));
        await db.Set<PushQueueItem>().Where(q => q.Id == item.Id).ExecuteUpdateAsync(u => u
            .SetProperty(q => q.Attempts, attempts).SetProperty(q => q.NotBefore, now + wait).SetProperty(q => q.LastError, error.Length > 1000 ? error[..1000] : error), ct);
    }
}
