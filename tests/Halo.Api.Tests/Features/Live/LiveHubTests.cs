using System.Net.Http.Json;
using Halo.Api.Features.Auth;
using Halo.Api.Features.Live;
using Halo.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using static Halo.Api.Tests.Features.Reports.ReportTestHelpers;

namespace Halo.Api.Tests.Features.Live;

public abstract class LiveHubTests(DbProvider provider)
{
    private HaloApiFactory NewFactory() => new HaloApiFactory(provider).OnKestrel();

    [Fact]
    public async Task AReportReachesOnlyClientsWatchingItsAreaAtItsPublishedCellNeverItsExactPoint()
    {
        using var factory = NewFactory();
        var http = factory.CreateClient();
        var (lat, lon) = NewPlace();
        var (farLat, farLon) = NewPlace();
        await using var near = await LiveTestClient.ConnectAsync(factory);
        await using var far = await LiveTestClient.ConnectAsync(factory);
        var sub = await near.SubscribeAsync(lat - 0.02, lon - 0.03, lat + 0.02, lon + 0.03);
        Assert.Equal(7, sub.Resolution);
        await far.SubscribeAsync(farLat - 0.02, farLon - 0.03, farLat + 0.02, farLon + 0.03);

        var report = await http.SubmitOk(Body(NewDevice(), lat, lon, factory.Now().AddMinutes(-10)));
        var created = await near.NextAsync();
        Assert.Equal(LivePublisher.IncidentCreated, created.Type);
        Assert.Equal(report.IncidentId, created.Payload.GetProperty("id").GetGuid());
        Assert.Equal("citizen", created.Payload.GetProperty("source").GetString());
        // The published cell's centre (as GET /incidents/{id} shows it), not the reporter's point.
        var row = await (await http.GetAsync($"/api/v1/incidents/{report.IncidentId}")).ReadJsonAsync();
        Assert.Equal(row.GetProperty("latitude").GetDouble(), created.Payload.GetProperty("latitude").GetDouble());
        Assert.Equal(row.GetProperty("longitude").GetDouble(), created.Payload.GetProperty("longitude").GetDouble());
        Assert.NotEqual(lat, created.Payload.GetProperty("latitude").GetDouble());

        var cluster = await near.NextAsync();
        Assert.Equal(LivePublisher.ClusterUpdated, cluster.Type);
        Assert.Equal(1, cluster.Payload.GetProperty("report_count").GetInt32());
        Assert.Equal("unverified", cluster.Payload.GetProperty("verification").GetString());

        // A second report joins: the same cluster is updated with its new count.
        await http.SubmitOk(Body(NewDevice(), lat + 0.0005, lon, factory.Now().AddMinutes(-5)));
        Assert.Equal(LivePublisher.IncidentUpdated, (await near.NextAsync()).Type);
        var second = await near.NextOfAsync(LivePublisher.ClusterUpdated);
        Assert.Equal(2, second.GetProperty("report_count").GetInt32());

        // The far client hears only its own area: its first message is the report made there.
        var there = await http.SubmitOk(Body(NewDevice(), farLat, farLon, factory.Now().AddMinutes(-10)));
        var first = await far.NextAsync();
        Assert.Equal(LivePublisher.IncidentCreated, first.Type);
        Assert.Equal(there.IncidentId, first.Payload.GetProperty("id").GetGuid());
    }

    [Fact]
    public async Task StaffIncidentsAreCreatedAndUpdatedLive()
    {
        using var factory = NewFactory();
        var staff = await factory.CreateClientAsAsync(Roles.Moderator);
        var (lat, lon) = NewPlace();
        await using var client = await LiveTestClient.ConnectAsync(factory);
        await client.SubscribeAsync(lat - 0.1, lon - 0.1, lat + 0.1, lon + 0.1);
        var res = await staff.PostAsJsonAsync("/api/v1/incidents", new Dictionary<string, object>
        {
            ["category"] = "fire", ["description"] = "Building fire", ["latitude"] = lat, ["longitude"] = lon,
            ["occurred_at"] = factory.Now().AddMinutes(-3), ["severity"] = 4,
        });
        var id = (await res.ReadJsonAsync()).GetProperty("id").GetGuid();
        var created = await client.NextAsync();
        Assert.Equal((LivePublisher.IncidentCreated, id), (created.Type, created.Payload.GetProperty("id").GetGuid()));
        Assert.Equal(4, created.Payload.GetProperty("severity").GetInt32());
        await staff.PutAsJsonAsync($"/api/v1/incidents/{id}", new Dictionary<string, object> { ["severity"] = 5 });
        var updated = await client.NextAsync();
        Assert.Equal(LivePublisher.IncidentUpdated, updated.Type);
        Assert.Equal(5, updated.Payload.GetProperty("severity").GetInt32());
    }

    [Fact]
    public async Task OfAnAreaTooLargeForTheGroupLimitTheMiddleIsWatchedAndAMidSizedOneTakesACoarserResolution()
    {
        using var factory = new LogCapturingApiFactory(provider);
        factory.OnKestrel();
        var staff = await factory.CreateClientAsAsync(Roles.Moderator);
        await using var client = await LiveTestClient.ConnectAsync(factory);
        var country = await client.SubscribeAsync(55, 10, 69, 24);
        Assert.True(country.Partial);
        Assert.Equal(5, country.Resolution);
        Assert.InRange(country.Cells.Count, 1, 64);
        Assert.Equal(62, (country.Watched.MinLat + country.Watched.MaxLat) / 2, 6);
        Assert.Equal(17, (country.Watched.MinLon + country.Watched.MaxLon) / 2, 6);
        Assert.True(country.Watched.MaxLat - country.Watched.MinLat < 14, country.Watched.ToString());
        // A zoomed-out map is no error: nothing is logged at Error.
        Assert.DoesNotContain(factory.Logs.Entries, e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Error);
        // What happens in the middle reaches it.
        var res = await staff.PostAsJsonAsync("/api/v1/incidents", new Dictionary<string, object>
        {
            ["category"] = "fire", ["description"] = "Skogsbrand", ["latitude"] = 62.0, ["longitude"] = 17.0,
            ["occurred_at"] = factory.Now().AddMinutes(-3), ["severity"] = 3,
        });
        var id = (await res.ReadJsonAsync()).GetProperty("id").GetGuid();
        Assert.Equal(id, (await client.NextAsync()).Payload.GetProperty("id").GetGuid());
        Assert.True((await client.SubscribeAsync(-90, -180, 90, 180)).Partial);
        var mid = await client.SubscribeAsync(59.2, 17.8, 59.5, 18.3);
        Assert.False(mid.Partial);
        Assert.Equal(new LiveArea(59.2, 17.8, 59.5, 18.3), mid.Watched);
        Assert.InRange(mid.Resolution, 5, 6);
        Assert.InRange(mid.Cells.Count, 1, 64);
        await Assert.ThrowsAsync<HubException>(() => client.SubscribeAsync(59.5, 17.8, 59.2, 18.3));
        await Assert.ThrowsAsync<HubException>(() => client.SubscribeAsync(95, 17.8, 96, 18.3));
        // Nor is a caller's bad input (HubErrorLogging).
        Assert.DoesNotContain(factory.Logs.Entries, e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Error);
    }

    [Fact]
    public async Task PersonalAlertsReachOnlyTheirOwnUsersAndDevicesConnectionsAndForecastsReachEveryone()
    {
        using var factory = NewFactory();
        var alice = await factory.CreateUserAsync();
        var bob = await factory.CreateUserAsync();
        await using var aliceClient = await LiveTestClient.ConnectAsync(factory, alice.AccessToken);
        await using var bobClient = await LiveTestClient.ConnectAsync(factory, bob.AccessToken);
        await using var device = await LiveTestClient.ConnectAsync(factory);
        await using var otherDevice = await LiveTestClient.ConnectAsync(factory);
        var deviceId = NewDevice();
        await device.Connection.InvokeAsync("Identify", deviceId);
        await otherDevice.Connection.InvokeAsync("Identify", NewDevice());

        var publisher = factory.Services.GetRequiredService<LivePublisher>();
        var hash = factory.Services.GetRequiredService<Halo.Api.Features.Reports.DeviceIdentity>().Hash(deviceId);
        LiveAlert Alert(string id) => new(id, "incident", "t", "b", "fire", 4, null, null, null, 120, null, factory.Now());
        await publisher.SendToUserAsync(alice.User.Id, Alert("for-alice"), default);
        await publisher.SendToDeviceAsync(hash, Alert("for-device"), default);
        await publisher.SendToUserAsync(bob.User.Id, Alert("for-bob"), default);
        factory.Live().PredictionsUpdated("risk-v1", factory.Now());

        Assert.Equal("for-alice", (await aliceClient.NextOfAsync(LivePublisher.Alert)).GetProperty("id").GetString());
        Assert.Equal("for-device", (await device.NextOfAsync(LivePublisher.Alert)).GetProperty("id").GetString());
        Assert.Equal("for-bob", (await bobClient.NextOfAsync(LivePublisher.Alert)).GetProperty("id").GetString());
        // Everyone gets the forecast; before it, nobody but the addressee got an alert.
        foreach (var c in new[] { aliceClient, bobClient, device, otherDevice })
        {
            var next = await c.NextAsync();
            Assert.Equal(LivePublisher.PredictionsUpdatedMessage, next.Type);
            Assert.Equal("risk-v1", next.Payload.GetProperty("model_version").GetString());
        }
    }

    [Fact]
    public async Task ABadTokenIsRefusedAndAnonymousConnectionsAreWelcome()
    {
        using var factory = NewFactory();
        await Assert.ThrowsAnyAsync<Exception>(() => LiveTestClient.ConnectAsync(factory, "not-a-token"));
        await using var anonymous = await LiveTestClient.ConnectAsync(factory);
        Assert.Equal(HubConnectionState.Connected, anonymous.Connection.State);
    }
}

public sealed class SqliteLiveHubTests() : LiveHubTests(DbProvider.Sqlite);

public sealed class PostgresLiveHubTests() : LiveHubTests(DbProvider.Postgres);
