using System.Net;
using System.Net.Sockets;

namespace Mnemo.Auth.OAuth.Session;

/// <summary>The network a sign-in comes from, as the throttle counts it.</summary>
internal static class ClientAddress
{
    /// <summary>
    /// IPv4: the address. IPv6: its /64 prefix, because one home or server usually holds a whole /64 and
    /// could otherwise take a fresh address for every guess. The address is the connection's
    /// (<c>HttpContext.Connection.RemoteIpAddress</c>), which forwarded-header handling has already
    /// replaced with the client's when the request came through a configured proxy; a request header is
    /// never read here.
    /// </summary>
    public static string Key(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown"; // in-process test hosts; every such request shares one counter
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }
}
