using System.Security.Cryptography;
using System.Text;
using Halo.Api.Infrastructure;

namespace Halo.Api.Features.Reports;

/// <summary>
/// Device ids are never stored: only an HMAC-SHA256 keyed with the server secret <c>DeviceHashKey</c>. The public
/// reporter id is a second HMAC over (device hash, cluster id), truncated: short, and different in every cluster, so
/// nobody without the key can link one device's reports across clusters.
/// </summary>
public sealed class DeviceIdentity(ServerSecrets secrets)
{
    public const string SecretName = "DeviceHashKey";

    public static readonly ServerSecret Secret = new(SecretName, 32, "keys the HMAC that turns device ids into the stored device hashes");

    public string Hash(string deviceId) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(secrets.Get(SecretName), Encoding.UTF8.GetBytes("device:" + deviceId)));

    /// <summary>The client's network (<see cref="ClientNetwork"/>) as stored: keyed, so a leaked table names no address.</summary>
    public string NetworkHash(string network) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(secrets.Get(SecretName), Encoding.UTF8.GetBytes("network:" + network)));

    public string ReporterId(string deviceHash, Guid clusterId)
    {
        var mac = HMACSHA256.HashData(secrets.Get(SecretName), Encoding.UTF8.GetBytes($"reporter:{deviceHash}:{clusterId:N}"));
        // 60 bits: collisions within one cluster are negligible, and too short to be a useful identifier anywhere else.
        return "r_" + Convert.ToHexStringLower(mac, 0, 8)[..12];
    }

    /// <summary>Constant-time check that <paramref name="deviceId"/> hashes to <paramref name="storedHash"/>.</summary>
    public bool Matches(string? deviceId, string? storedHash)
    {
        if (string.IsNullOrEmpty(deviceId) || string.IsNullOrEmpty(storedHash)) return false;
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(deviceId)), Encoding.ASCII.GetBytes(storedHash));
    }
}
