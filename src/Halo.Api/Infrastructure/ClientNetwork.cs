using System.Net;
using System.Net.Sockets;

namespace Halo.Api.Infrastructure;

/// <summary>
/// The network a client connects from, as the server sees it: IPv4 /24, IPv6 /48. Limits and witness independence are
/// keyed on this, not on anything the client chooses, because one household or office shares one such prefix while a
/// determined abuser must pay for each extra one. The address is the connection's own, or the one a configured proxy
/// forwarded (forwarded headers from anyone else are ignored by the middleware before this runs).
/// </summary>
public static class ClientNetwork
{
    public const string Unknown = "net:unknown";

    public static string Of(HttpContext http) => Of(http.Connection.RemoteIpAddress);

    public static string Of(IPAddress? address)
    {
        if (address is null) return Unknown;
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        var bytes = address.GetAddressBytes();
        if (address.AddressFamily == AddressFamily.InterNetwork)
            return $"v4:{bytes[0]}.{bytes[1]}.{bytes[2]}.0/24";
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var prefix = new byte[16];
            Array.Copy(bytes, prefix, 6);
            return $"v6:{new IPAddress(prefix)}/48";
        }
        return Unknown;
    }
}
