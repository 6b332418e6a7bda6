using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Halo.Api.Features.Auth;
using Halo.Api.Infrastructure.RateLimiting;
using Halo.Api.Tests.Features.Media;
using static Halo.Api.Tests.Features.Reports.ReportTestHelpers;

namespace Halo.Api.Tests.Infrastructure.RateLimiting;

/// <summary>
/// Small limits, and two trusted proxies: one address (the load balancer) and one range (a CDN in front of it).
/// Report submit: 10 per network or account, 15 per network for all its accounts, 3 per device; media upload: 4 and 2.
/// </summary>
public abstract class ClientLimitsApiFactory : HaloApiFactory
{
    public const string Proxy = "203.0.113.10";
    public const string CdnHop = "198.18.0.9";

    protected ClientLimitsApiFactory(DbProvider provider) : base(provider)
    {
        With("RateLimiting:Enabled", "true");
        With("RateLimiting:Policies:report-submit:PermitLimit", "10");
        With("RateLimiting:Policies:report-submit:NetworkPermitLimit", "15");
        With("RateLimiting:Policies:report-submit:DevicePermitLimit", "3");
        With("RateLimiting:Policies:report-submit:WindowSeconds", "60");
        With("RateLimiting:Policies:media-upload:PermitLimit", "4");
        With("RateLimiting:Policies:media-upload:DevicePermitLimit", "2");
        With("RateLimiting:Policies:media-upload:WindowSeconds", "60");
        With("Network:TrustedProxies:0", Proxy);
        With("Network:TrustedProxies:1", "198.18.0.0/24");
        With("Network:ForwardLimit", "2");
    }
}

public sealed class SqliteClientLimitsApiFactory() : ClientLimitsApiFactory(DbProvider.Sqlite);

public sealed class PostgresClientLimitsApiFactory() : ClientLimitsApiFactory(DbProvider.Postgres);

/// <summary>
/// Limits are keyed on what the server knows (the client's /24 or /48 and the signed-in account); X-Device-Id only
/// narrows them, and X-Forwarded-For counts only from a trusted proxy. Every test uses networks of its own.
/// </summary>
public abstract class ClientLimitTests(ClientLimitsApiFactory factory)
{
    private static int _networks;
    private readonly HttpClient _client = factory.CreateClient();

    /// <summary>The first three octets of an IPv4 /24 no other test uses.</summary>
    private static string NewNetwork()
    {
        var n = Interlocked.Increment(ref _networks);
        return $"10.{20 + n / 250}.{n % 250}";
    }

    private static HttpRequestMessage Request(HttpMethod method, string url, HttpContent content, string peer, string? device, string? forwardedFor)
    {
        var req = new HttpRequestMessage(method, url) { Content = content }.From(peer);
        if (device is not null) req.Headers.Add(RateLimitingRegistration.DeviceHeader, device);
        if (forwardedFor is not null) req.Headers.Add("X-Forwarded-For", forwardedFor);
        return req;
    }

    private async Task<HttpStatusCode> Submit(string peer, string? device = null, string? forwardedFor = null)
    {
        var (lat, lon) = NewPlace();
        var body = Body(device ?? NewDevice(), lat, lon, factory.Now().AddMinutes(-5));
        var req = Request(HttpMethod.Post, "/api/v1/reports/submit", new StringContent(body, Encoding.UTF8, "application/json"), peer, device, forwardedFor);
        req.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
        return (await _client.SendAsync(req)).StatusCode;
    }

    private async Task<HttpStatusCode> PostIncident(HttpClient staff, string peer, string? device = null)
    {
        var body = JsonContent.Create(new
        {
            category = "vandalism", description = "Krossade rutor", occurred_at = factory.Clock.GetUtcNow().AddHours(-1),
            latitude = 59.3326, longitude = 18.0649,
        });
        return (await staff.SendAsync(Request(HttpMethod.Post, "/api/v1/incidents", body, peer, device, null))).StatusCode;
    }

    private async Task<HttpStatusCode> Upload(string peer, string device)
    {
        var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(TestFiles.Wav(2_000));
        file.Headers.ContentType = MediaTypeHeaderValue.Parse("audio/wav");
        form.Add(file, "file", "a.wav");
        return (await _client.SendAsync(Request(HttpMethod.Post, "/api/v1/media", form, peer, device, null))).StatusCode;
    }

    private static async Task<List<HttpStatusCode>> Repeat(int times, Func<int, Task<HttpStatusCode>> send)
    {
        var codes = new List<HttpStatusCode>();
        for (var i = 0; i < times; i++) codes.Add(await send(i));
        return codes;
    }

    private static HttpStatusCode[] Expect(int created, int refused) =>
        [.. Enumerable.Repeat(HttpStatusCode.Created, created), .. Enumerable.Repeat(HttpStatusCode.TooManyRequests, refused)];

    private void StartOfFreshWindow()
    {
        var now = factory.Clock.GetUtcNow();
        factory.Clock.Advance(TimeSpan.FromSeconds(60 - now.Second) - TimeSpan.FromMilliseconds(now.Millisecond));
    }

    [Fact]
    public async Task RotatingDeviceIdsFromOneNetworkAreRefusedAfterTheNetworkLimitWhileAnotherNetworkIsServed()
    {
        var net = NewNetwork();

        // 40 submits, each from another host of the /24 and with a device id never seen before.
        var codes = await Repeat(40, i => Submit($"{net}.{i + 1}", NewDevice()));

        Assert.Equal(Expect(10, 30), codes);
        Assert.Equal(HttpStatusCode.Created, await Submit($"{NewNetwork()}.1", NewDevice()));
    }

    [Fact]
    public async Task ADeviceAloneHitsItsOwnLimitBeforeItsNetworksLimitWithoutSpendingTheNetworksBudget()
    {
        var net = NewNetwork();
        var device = NewDevice();

        Assert.Equal(Expect(3, 5), await Repeat(8, _ => Submit($"{net}.7", device)));

        // The network had 10: the device's 3 admitted submits used three, its refused ones none.
        Assert.Equal(Expect(7, 1), await Repeat(8, i => Submit($"{net}.{20 + i}", i % 2 == 0 ? NewDevice() : null)));
    }

    [Fact]
    public async Task TheLimitsResetWhenTheClockMovesToTheNextWindow()
    {
        StartOfFreshWindow();
        factory.Clock.Advance(TimeSpan.FromSeconds(15));
        var net = NewNetwork();
        var device = NewDevice();
        Assert.Equal(Expect(3, 1), await Repeat(4, _ => Submit($"{net}.1", device)));
        await Repeat(7, i => Submit($"{net}.{i + 2}", NewDevice()));

        var req = Request(HttpMethod.Post, "/api/v1/reports/submit", new StringContent("{}", Encoding.UTF8, "application/json"), $"{net}.99", null, null);
        req.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
        var refused = await _client.SendAsync(req);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Equal(TimeSpan.FromSeconds(45), refused.Headers.RetryAfter?.Delta);

        factory.Clock.Advance(TimeSpan.FromSeconds(44));
        Assert.Equal(HttpStatusCode.TooManyRequests, await Submit($"{net}.99"));
        factory.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.Created, await Submit($"{net}.1", device));
        Assert.Equal(Expect(9, 1), await Repeat(10, i => Submit($"{net}.{i + 2}", NewDevice())));
    }

    [Fact]
    public async Task StaffPostingIncidentsAreLimitedPerAccountWhateverDeviceIdsTheySend()
    {
        var net = NewNetwork();
        var alice = await factory.CreateClientAsAsync(Roles.Moderator);
        var bob = await factory.CreateClientAsAsync(Roles.Moderator);

        Assert.Equal(Expect(10, 3), await Repeat(13, i => PostIncident(alice, $"{net}.{i + 1}", NewDevice())));

        // Another account on the same network has its own limit, and anonymous requests from there their own.
        Assert.Equal(HttpStatusCode.Created, await PostIncident(bob, $"{net}.1"));
        Assert.Equal(HttpStatusCode.Created, await Submit($"{net}.1"));
    }

    [Fact]
    public async Task AccountsOfOneNetworkShareAWiderNetworkLimit()
    {
        var net = NewNetwork();
        var staff = new List<HttpClient>();
        for (var n = 0; n < 4; n++) staff.Add(await factory.CreateClientAsAsync(Roles.Moderator));

        // 4 accounts × 5 posts: each account stays under its 10, the network's 15 for accounts is reached.
        Assert.Equal(Expect(15, 5), await Repeat(20, i => PostIncident(staff[i % 4], $"{net}.{i + 1}")));

        Assert.Equal(HttpStatusCode.Created, await PostIncident(staff[0], $"{NewNetwork()}.1"));
    }

    [Fact]
    public async Task MediaUploadsWithRotatingDeviceIdsAreRefusedAtTheNetworkLimitAndOneDeviceEarlier()
    {
        var net = NewNetwork();
        Assert.Equal(Expect(4, 4), await Repeat(8, i => Upload($"{net}.{i + 1}", NewDevice())));

        var (other, device) = (NewNetwork(), NewDevice());
        Assert.Equal(Expect(2, 1), await Repeat(3, _ => Upload($"{other}.1", device)));
    }

    [Fact]
    public async Task BehindATrustedProxyEachForwardedClientHasTheLimitOfItsOwnNetwork()
    {
        var (a, b) = (NewNetwork(), NewNetwork());

        Assert.Equal(Expect(10, 2), await Repeat(12, i => Submit(ClientLimitsApiFactory.Proxy, NewDevice(), $"{a}.{i + 1}")));

        Assert.Equal(HttpStatusCode.Created, await Submit(ClientLimitsApiFactory.Proxy, NewDevice(), $"{b}.1"));
        // The limit was the forwarded client's network, not the proxy's: a direct connection from it is refused too.
        Assert.Equal(HttpStatusCode.TooManyRequests, await Submit($"{a}.200", NewDevice()));
    }

    [Fact]
    public async Task TrustedHopsAreFollowedToTheClientAndAddressesTheClientPrependsAreIgnored()
    {
        var client = NewNetwork();

        // client → CDN hop (trusted range) → load balancer (trusted) → Halo; the client wrote a fresh spoofed address first.
        Assert.Equal(Expect(10, 2), await Repeat(12, i =>
            Submit(ClientLimitsApiFactory.Proxy, NewDevice(), $"{NewNetwork()}.1, {client}.7, {ClientLimitsApiFactory.CdnHop}")));

        Assert.Equal(HttpStatusCode.TooManyRequests, await Submit($"{client}.8", NewDevice()));
    }

    [Theory]
    [InlineData("untrusted")]
    [InlineData("127.0.0.1")]
    public async Task XForwardedForFromAnUntrustedPeerIsIgnored(string peer)
    {
        // Loopback is trusted by the framework's defaults; Halo trusts only the configured proxies.
        if (peer == "untrusted") peer = $"{NewNetwork()}.5";
        var codes = await Repeat(12, i => Submit(peer, NewDevice(), $"{NewNetwork()}.1"));
        var sameNetworkAsPeer = peer == "127.0.0.1" ? "127.0.0.2" : peer[..peer.LastIndexOf('.')] + ".6";

        Assert.Equal(Expect(10, 2), codes);
        Assert.Equal(HttpStatusCode.TooManyRequests, await Submit(sameNetworkAsPeer, NewDevice()));
    }
}

public sealed class ClientLimitSqliteTests(SqliteClientLimitsApiFactory f) : ClientLimitTests(f), IClassFixture<SqliteClientLimitsApiFactory>;

public sealed class ClientLimitPostgresTests(PostgresClientLimitsApiFactory f) : ClientLimitTests(f), IClassFixture<PostgresClientLimitsApiFactory>;
