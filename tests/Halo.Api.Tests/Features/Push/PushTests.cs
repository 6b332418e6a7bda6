using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Halo.Api.Features.Alerts;
using Halo.Api.Features.Live;
using Halo.Api.Features.Push;
using Halo.Api.Features.Reports;
using Halo.Api.Tests.Features.Alerts;
using Halo.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Halo.Api.Tests.Features.Reports.ReportTestHelpers;

namespace Halo.Api.Tests.Features.Push;

public abstract class PushTests(DbProvider provider)
{
    private HaloApiFactory NewFactory() => new HaloApiFactory(provider).With("Push:AllowInsecureEndpoints", "true");

    private static async Task<HttpResponseMessage> Subscribe(HttpClient client, BrowserSubscription browser, string device, string language = "sv")
    {
        var req = new HttpRequestMessage(HttpMethod.Post, "/api/v1/push/subscriptions") { Content = JsonContent.Create(browser.ToJson(language)) };
        req.Headers.Add("X-Device-Id", device);
        return await client.SendAsync(req);
    }

    private static Task Alert(HaloApiFactory factory, string device, string title, int severity = 3)
    {
        var owner = new AlertOwner(null, factory.Services.GetRequiredService<DeviceIdentity>().Hash(device));
        var push = factory.Services.GetServices<IAlertDelivery>().OfType<PushAlertDelivery>().Single();
        return push.DeliverAsync(owner, new LiveAlert(Guid.NewGuid().ToString("N"), "incident", title, "body", "fire", severity, Guid.NewGuid(),
            null, null, 150, null, factory.Now()), CancellationToken.None);
    }

    // The sender counts after its database writes, which the tests wait for: wait for the count too.
    private static Task<long> Counted(MetricsRecorder metrics, string name) => Eventually(() => Task.FromResult(metrics.Sum(name)), n => n != 0);

    private static async Task<T> Eventually<T>(Func<Task<T>> read, Func<T, bool> done)
    {
        for (var i = 0; i < 300; i++)
        {
            var v = await read();
            if (done(v)) return v;
            await Task.Delay(100);
        }
        throw new TimeoutException("The condition did not hold within 30 s.");
    }

    [Fact]
    public async Task AnAlertArrivesAtThePushServiceEncryptedForTheSubscriptionAndSignedWithTheServersVapidKey()
    {
        await using var service = await FakePushService.StartAsync();
        using var browser = new BrowserSubscription(service.BaseAddress);
        using var factory = NewFactory();
        var client = factory.CreateClient();
        var key = (await (await client.GetAsync("/api/v1/push/vapid-public-key")).ReadJsonAsync()).GetProperty("public_key").GetString()!;
        var device = NewDevice();
        Assert.Equal(HttpStatusCode.Created, (await Subscribe(client, browser, device)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Subscribe(client, browser, device)).StatusCode); // the same endpoint again

        await Alert(factory, device, "Brand 150 m bort", severity: 5);
        var delivery = await service.NextAsync();
        Assert.Equal("aes128gcm", delivery.Headers["Content-Encoding"]);
        Assert.InRange(int.Parse(delivery.Headers["TTL"]), 3500, 3600);
        Assert.Equal("high", delivery.Headers["Urgency"]);
        Vapid.Verify(delivery, key, service.BaseAddress, factory.Clock.GetUtcNow());
        var payload = JsonDocument.Parse(browser.Decrypt(delivery.Body)).RootElement;
        Assert.Equal("Brand 150 m bort", payload.GetProperty("title").GetString());
        Assert.Equal(5, payload.GetProperty("severity").GetInt32());
        // Delivered: the queue is empty.
        await Eventually(() => factory.WithDb(db => db.Set<PushQueueItem>().CountAsync()), n => n == 0);
    }

    [Fact]
    public async Task A410RemovesTheSubscriptionAndTheDevicesPreferencesWithIt()
    {
        await using var service = await FakePushService.StartAsync();
        using var browser = new BrowserSubscription(service.BaseAddress);
        using var factory = NewFactory();
        using var metrics = new MetricsRecorder(factory);
        var client = factory.CreateClient();
        var device = NewDevice();
        await Subscribe(client, browser, device);
        var put = new HttpRequestMessage(HttpMethod.Put, "/api/v1/me/alerts") { Content = JsonContent.Create(new { radius_m = 900 }) };
        put.Headers.Add("X-Device-Id", device);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(put)).StatusCode);

        service.Answer(410);
        await Alert(factory, device, "gone");
        await service.NextAsync();
        await Eventually(() => factory.WithDb(db => db.Set<PushSubscriptionRow>().CountAsync()), n => n == 0);
        Assert.Equal(0, await factory.WithDb(db => db.Set<AlertPreferences>().CountAsync()));
        Assert.Equal(0, await factory.WithDb(db => db.Set<PushQueueItem>().CountAsync()));
        Assert.Equal(1, await Counted(metrics, "halo.push.failed;outcome=gone"));
    }

    [Fact]
    public async Task A429IsRetriedAfterItsRetryAfterAndAnother4xxRemovesTheSubscription()
    {
        await using var service = await FakePushService.StartAsync();
        using var browser = new BrowserSubscription(service.BaseAddress);
        using var factory = NewFactory();
        using var metrics = new MetricsRecorder(factory);
        var client = factory.CreateClient();
        var device = NewDevice();
        await Subscribe(client, browser, device);

        service.Answer(429, "120");
        await Alert(factory, device, "later");
        await service.NextAsync();
        var sentAt = factory.Now();
        var item = await Eventually(() => factory.WithDb(db => db.Set<PushQueueItem>().AsNoTracking().SingleAsync()), i => i.Attempts == 1);
        Assert.Equal(sentAt.AddSeconds(120), item.NotBefore);
        Assert.StartsWith("429", item.LastError);
        Assert.Equal(1, await Counted(metrics, "halo.push.failed;outcome=retry"));

        // Not before its Retry-After. The sender polls on the fake clock and, on a loaded machine, may not have armed
        // its next poll when the clock moves; so the clock moves a poll at a time, and each step gives it a moment.
        factory.Clock.Advance(TimeSpan.FromSeconds(110));
        FakePushService.Delivery? retried = null;
        for (var step = 0; step < 60 && retried is null; step++)
        {
            factory.Clock.Advance(TimeSpan.FromSeconds(5)); // the sender's poll
            retried = await service.TryNextAsync(TimeSpan.FromMilliseconds(500));
            Assert.True(retried is null || factory.Now() >= sentAt.AddSeconds(120), $"retried at {factory.Now() - sentAt} after the 429");
        }
        Assert.NotNull(retried);
        Assert.Equal("later", JsonDocument.Parse(browser.Decrypt(retried.Body)).RootElement.GetProperty("title").GetString());
        await Eventually(() => factory.WithDb(db => db.Set<PushQueueItem>().CountAsync()), n => n == 0);
        Assert.Equal(1, await Counted(metrics, "halo.push.sent"));

        // 413 (or any 4xx but 408/429) means this subscription cannot work: it is removed.
        service.Answer(413);
        await Alert(factory, device, "too big");
        await service.NextAsync();
        await Eventually(() => factory.WithDb(db => db.Set<PushSubscriptionRow>().CountAsync()), n => n == 0);
        Assert.Equal(1, await Counted(metrics, "halo.push.failed;outcome=rejected"));
    }

    [Fact]
    public async Task BadSubscriptionsAreRefusedFieldByFieldAndDeleteNeedsTheEndpoint()
    {
        using var factory = new HaloApiFactory(provider);
        var client = factory.CreateClient();
        var req = new HttpRequestMessage(HttpMethod.Post, "/api/v1/push/subscriptions")
        {
            Content = JsonContent.Create(new { endpoint = "http://push.example/x", keys = new { p256dh = "AAAA", auth = "!!" }, language = "fi" }),
        };
        req.Headers.Add("X-Device-Id", NewDevice());
        var res = await client.SendAsync(req);
        Assert.Equal(HttpStatusCode.BadRequest, res.StatusCode);
        var errors = (await res.ReadJsonAsync()).GetProperty("errors");
        foreach (var f in new[] { "endpoint", "keys.p256dh", "keys.auth", "language" }) Assert.True(errors.TryGetProperty(f, out _), f);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.DeleteAsync("/api/v1/push/subscriptions")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.DeleteAsync("/api/v1/push/subscriptions?endpoint=https%3A%2F%2Fpush.example%2Fnone")).StatusCode);
    }
}

public sealed class SqlitePushTests() : PushTests(DbProvider.Sqlite);

public sealed class PostgresPushTests() : PushTests(DbProvider.Postgres);
