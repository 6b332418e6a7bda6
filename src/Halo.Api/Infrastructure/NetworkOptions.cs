using System.ComponentModel.DataAnnotations;
using System.Net;

namespace Halo.Api.Infrastructure;

/// <summary>Which TCP peers may tell Halo the client's address (X-Forwarded-For) and scheme (X-Forwarded-Proto).</summary>
public sealed class NetworkOptions
{
    public const string Section = "Network";

    /// <summary>
    /// Reverse proxies in front of Halo: addresses ("10.0.0.5", "::1") or CIDR ranges ("10.0.0.0/8"). Empty: no peer is
    /// trusted and forwarded headers are ignored, so the client's address is the connection's own.
    /// </summary>
    public string[] TrustedProxies { get; set; } = [];

    /// <summary>How many proxy hops, from the right of X-Forwarded-For, may be stripped; each must be a trusted proxy.</summary>
    [Range(1, 10)] public int ForwardLimit { get; set; } = 1;

    public static bool TryParseProxy(string? value, out IPAddress? address, out IPNetwork? network)
    {
        address = null;
        network = null;
        value = value?.Trim();
        if (string.IsNullOrEmpty(value)) return false;
        if (value.Contains('/'))
        {
            // A base address with bits beyond the prefix ("10.0.0.1/8") is refused: it is a typo, or a single host meant.
            if (!IPNetwork.TryParse(value, out var parsed) || !IPAddress.TryParse(value[..value.IndexOf('/')], out var written)
                || !written.Equals(parsed.BaseAddress)) return false;
            network = parsed;
            return true;
        }
        return IPAddress.TryParse(value, out address);
    }
}
