using System.Net;
using System.Net.Sockets;

namespace Mnemo.Auth.OAuth.Clients;

/// <summary>
/// Which addresses Mnemo's server-side fetches (client metadata documents) may reach: public unicast
/// only. A client id is attacker-chosen, so without this a URL could make Mnemo request its own
/// loopback services, the cloud metadata endpoint (169.254.169.254) or the private network (SSRF,
/// RFC 9700 §4.16, draft-ietf-oauth-client-id-metadata-document §6).
/// </summary>
internal static class SsrfGuard
{
    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return !(b[0] == 0                                   // "this network"
                || b[0] == 10                                     // private
                || (b[0] == 100 && b[1] >= 64 && b[1] <= 127)    // CGNAT
                || b[0] == 127                                    // loopback
                || (b[0] == 169 && b[1] == 254)                   // link-local, cloud metadata
                || (b[0] == 172 && b[1] >= 16 && b[1] <= 31)     // private
                || (b[0] == 192 && b[1] == 0 && (b[2] == 0 || b[2] == 2)) // IETF protocol, TEST-NET-1
                || (b[0] == 192 && b[1] == 88 && b[2] == 99)     // 6to4 relay
                || (b[0] == 192 && b[1] == 168)                   // private
                || (b[0] == 198 && (b[1] == 18 || b[1] == 19))   // benchmarking
                || (b[0] == 198 && b[1] == 51 && b[2] == 100)    // TEST-NET-2
                || (b[0] == 203 && b[1] == 0 && b[2] == 113)     // TEST-NET-3
                || b[0] >= 224);                                  // multicast, reserved, broadcast
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            if (address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.IPv6Loopback)
                || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast || address.IsIPv6Teredo)
            {
                return false;
            }

            var b = address.GetAddressBytes();
            return !((b[0] & 0xFE) == 0xFC                                        // unique local fc00::/7
                || (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xFF && b[3] == 0x9B)  // NAT64 64:ff9b::/96 and 64:ff9b:1::/48
                || (b[0] == 0x20 && b[1] == 0x02)                                 // 6to4 2002::/16 (embeds any IPv4)
                || (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0D && b[3] == 0xB8) // documentation
                || b.Take(12).All(x => x == 0));                                  // ::/96 (IPv4-compatible, unspecified)
        }

        return false;
    }
}

/// <summary>Resolves host names for the guarded fetcher; tests replace it to give fixed answers (no DNS in CI).</summary>
internal interface IHostAddressResolver
{
    Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken);
}

internal sealed class DnsHostAddressResolver : IHostAddressResolver
{
    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) =>
        Dns.GetHostAddressesAsync(host, cancellationToken);
}

/// <summary>
/// Outermost handler of the metadata-document client: https on port 443 only, no credentials in the
/// URL, and every address the host resolves to must be public. The checked addresses travel with the
/// request so the socket layer connects to exactly those (a second, rebinding DNS answer is never used).
/// </summary>
internal sealed class SsrfGuardHandler(IHostAddressResolver resolver) : DelegatingHandler
{
    public static readonly HttpRequestOptionsKey<IPAddress[]> VettedAddresses = new("Mnemo.VettedAddresses");

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var uri = request.RequestUri ?? throw new SsrfRefusedException("no URL");
        if (uri.Scheme != Uri.UriSchemeHttps || !uri.IsDefaultPort || !string.IsNullOrEmpty(uri.UserInfo))
        {
            throw new SsrfRefusedException("only https URLs on the default port, without credentials, are fetched");
        }

        IPAddress[] addresses;
        if (IPAddress.TryParse(uri.IdnHost.Trim('[', ']'), out var literal))
        {
            addresses = [literal];
        }
        else
        {
            try
            {
                addresses = await resolver.ResolveAsync(uri.IdnHost, cancellationToken);
            }
            catch (SocketException)
            {
                throw new SsrfRefusedException($"the host {uri.IdnHost} does not resolve");
            }
        }

        if (addresses.Length == 0 || addresses.Any(a => !SsrfGuard.IsPublic(a)))
        {
            throw new SsrfRefusedException($"the host {uri.IdnHost} resolves to a non-public address");
        }

        request.Options.Set(VettedAddresses, addresses);
        return await base.SendAsync(request, cancellationToken);
    }

    /// <summary>The production socket handler: connects only to the vetted addresses, no proxy, no redirects, no cookies.</summary>
    public static SocketsHttpHandler CreatePrimaryHandler() => new()
    {
        AllowAutoRedirect = false,
        UseProxy = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
        ConnectTimeout = TimeSpan.FromSeconds(3),
        PooledConnectionLifetime = TimeSpan.FromMinutes(1),
        MaxResponseHeadersLength = 16,
        ConnectCallback = async (context, cancellationToken) =>
        {
            if (!context.InitialRequestMessage.Options.TryGetValue(VettedAddresses, out var addresses) || addresses.Length == 0)
            {
                throw new SsrfRefusedException("the request did not pass the address check");
            }

            foreach (var address in addresses)
            {
                if (!SsrfGuard.IsPublic(address))
                {
                    continue;
                }

                var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch (SocketException)
                {
                    socket.Dispose();
                }
            }

            throw new SsrfRefusedException("no vetted address accepted the connection");
        },
    };
}

internal sealed class SsrfRefusedException(string message) : Exception(message);
