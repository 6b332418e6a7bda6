using System.Net;
using Halo.Api.Features.Media;
using Halo.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Halo.Api.Tests.Features.Reports.ReportTestHelpers;

namespace Halo.Api.Tests.Features.Media;

/// <summary>Daily storage quotas per device and per client network, from the stored rows, on the fake clock.</summary>
public abstract class MediaQuotaTests(HaloApiFactory factory)
{
    /// <summary>A WAV with 2,000 bytes of samples is stored as 2,044 bytes.</summary>
    private const int FileBytes = 2_044;
    private readonly HttpClient _client = factory.CreateClient();

    private Task<HttpResponseMessage> Upload(string device, string peer) =>
        _client.UploadMedia(TestFiles.Wav(FileBytes - 44), device, "a.wav", "audio/wav", peer);

    private static int _networks;

    /// <summary>A /24 of its own for each call, so tests' totals never mix.</summary>
    private static string NewNetwork() => $"198.18.{Interlocked.Increment(ref _networks) % 256}.10";

    private static string Neighbour(string peer) => peer[..(peer.LastIndexOf('.') + 1)] + (peer.EndsWith(".77") ? "78" : "77");

    private TimeSpan UntilMidnight() => factory.Clock.GetUtcNow().UtcDateTime.Date.AddDays(1) - factory.Clock.GetUtcNow().UtcDateTime;

    private async Task AssertOverQuota(HttpResponseMessage res, string what)
    {
        Assert.Equal(HttpStatusCode.TooManyRequests, res.StatusCode);
        Assert.Equal("application/problem+json", res.Content.Headers.ContentType?.MediaType);
        Assert.Contains(what, await res.Content.ReadAsStringAsync());
        var retry = res.Headers.RetryAfter?.Delta ?? throw new Xunit.Sdk.XunitException("no Retry-After");
        Assert.InRange(retry.TotalSeconds, UntilMidnight().TotalSeconds - 1, UntilMidnight().TotalSeconds + 1);
    }

    [Fact]
    public async Task DeviceOverItsDailyQuotaGets429WithRetryAfterUntilTheNextUtcDay()
    {
        // Quota 5,000 bytes per device: two files fit, the third does not.
        var device = NewDevice();
        var network = NewNetwork();
        Assert.Equal(HttpStatusCode.Created, (await Upload(device, network)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await Upload(device, network)).StatusCode);
        await AssertOverQuota(await Upload(device, network), "device");
        // From another network too: the quota follows the device.
        await AssertOverQuota(await Upload(device, NewNetwork()), "device");
        // Another device on the same network is not affected.
        Assert.Equal(HttpStatusCode.Created, (await Upload(NewDevice(), network)).StatusCode);

        factory.Clock.Advance(UntilMidnight() + TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.Created, (await Upload(device, network)).StatusCode);
    }

    [Fact]
    public async Task NetworkOverItsDailyQuotaGets429ForEveryDeviceOnItUntilTheNextUtcDay()
    {
        // Quota 9,000 bytes per network: four files from four devices fit, the fifth does not, whatever its address in the /24.
        var network = NewNetwork();
        for (var i = 0; i < 4; i++)
            Assert.Equal(HttpStatusCode.Created, (await Upload(NewDevice(), i % 2 == 0 ? network : Neighbour(network))).StatusCode);
        await AssertOverQuota(await Upload(NewDevice(), Neighbour(network)), "network");
        Assert.Equal(HttpStatusCode.Created, (await Upload(NewDevice(), NewNetwork())).StatusCode);

        factory.Clock.Advance(UntilMidnight() + TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.Created, (await Upload(NewDevice(), network)).StatusCode);
    }

    [Fact]
    public async Task StoredRowsKeepAnHmacOfTheNetworkNeverTheAddress()
    {
        var network = NewNetwork();
        var res = await Upload(NewDevice(), network);
        var up = await res.ReadAsync<MediaUploadResponse>();
        var neighbour = await (await Upload(NewDevice(), Neighbour(network))).ReadAsync<MediaUploadResponse>();
        var rows = await factory.WithDb(db => db.Set<MediaItem>().AsNoTracking().Where(m => m.Id == up.MediaId || m.Id == neighbour.MediaId).ToListAsync());
        Assert.Equal(2, rows.Count);
        Assert.Equal(64, rows[0].NetworkHash!.Length);
        Assert.Equal(rows[0].NetworkHash, rows[1].NetworkHash); // the same /24
        Assert.DoesNotContain(network[..network.LastIndexOf('.')], rows[0].NetworkHash);
    }
}

public sealed class MediaQuotaSqliteFactory : HaloApiFactory
{
    public MediaQuotaSqliteFactory() : base(DbProvider.Sqlite)
    {
        With("Media:DailyQuotaBytesPerDevice", "5000");
        With("Media:DailyQuotaBytesPerNetwork", "9000");
    }
}

public sealed class MediaQuotaPostgresFactory : HaloApiFactory
{
    public MediaQuotaPostgresFactory() : base(DbProvider.Postgres)
    {
        With("Media:DailyQuotaBytesPerDevice", "5000");
        With("Media:DailyQuotaBytesPerNetwork", "9000");
    }
}

public sealed class MediaQuotaSqliteTests(MediaQuotaSqliteFactory f) : MediaQuotaTests(f), IClassFixture<MediaQuotaSqliteFactory>;

public sealed class MediaQuotaPostgresTests(MediaQuotaPostgresFactory f) : MediaQuotaTests(f), IClassFixture<MediaQuotaPostgresFactory>;
