using System.Security.Cryptography;
using System.Text;
using Halo.Api.Data;
using Halo.Api.Features.Reports;
using Halo.Api.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Halo.Api.Features.Media;

/// <summary>
/// Daily upload quotas, per client network and per device, summed from the stored media rows of the current UTC day
/// (so a restart or a second instance sees the same totals). Uploads in flight at the same moment are each checked
/// against the total before them, so a burst can overshoot by what is in flight; the upload rate limit bounds that.
/// </summary>
public sealed class MediaQuota(ServerSecrets secrets, IOptions<MediaOptions> options, TimeProvider clock)
{
    /// <summary>HMAC of the client's network, keyed like the device hash; the address itself is never stored.</summary>
    public string NetworkHash(HttpContext http) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(secrets.Get(DeviceIdentity.SecretName), Encoding.UTF8.GetBytes("network:" + ClientNetwork.Of(http))));

    /// <summary>Null when <paramref name="adding"/> more bytes stay within both quotas; else the problem and its Retry-After.</summary>
    public async Task<(string Detail, TimeSpan RetryAfter)?> ExceededAsync(HaloDbContext db, string deviceHash, string networkHash, long adding, CancellationToken ct)
    {
        var o = options.Value;
        var now = clock.GetUtcNow().UtcDateTime;
        var dayStart = now.Date;
        var media = db.Set<MediaItem>().Where(m => m.CreatedAt >= dayStart);
        var byDevice = await media.Where(m => m.OwnerDeviceHash == deviceHash).SumAsync(m => (long?)m.SizeBytes, ct) ?? 0;
        var byNetwork = await media.Where(m => m.NetworkHash == networkHash).SumAsync(m => (long?)m.SizeBytes, ct) ?? 0;
        var retry = dayStart.AddDays(1) - now;
        if (byDevice + adding > o.DailyQuotaBytesPerDevice)
            return ($"This device may store {o.DailyQuotaBytesPerDevice} bytes of evidence per day (UTC); {byDevice} are used.", retry);
        if (byNetwork + adding > o.DailyQuotaBytesPerNetwork)
            return ($"This network may store {o.DailyQuotaBytesPerNetwork} bytes of evidence per day (UTC); {byNetwork} are used.", retry);
        return null;
    }
}
