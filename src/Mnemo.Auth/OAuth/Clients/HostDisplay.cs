using System.Globalization;

namespace Mnemo.Auth.OAuth.Clients;

/// <summary>How the consent page writes an address so that a person can tell where they will be sent.</summary>
internal static class HostDisplay
{
    /// <summary>
    /// The host in ASCII; a non-ASCII (internationalised) host as its Unicode form with the ASCII (punycode) form beside
    /// it, because a Unicode look-alike of a known name is only visibly different in punycode.
    /// </summary>
    public static string Of(Uri uri)
    {
        var ascii = AsciiHost(uri);
        var port = Port(uri);
        if (!ascii.Contains("xn--", StringComparison.OrdinalIgnoreCase))
        {
            return ascii + port;
        }

        string unicode;
        try
        {
            unicode = new IdnMapping().GetUnicode(ascii);
        }
        catch (ArgumentException)
        {
            return ascii + port;
        }

        return $"{unicode}{port} ({ascii}{port})";
    }

    /// <summary>The origin in ASCII (punycode host, bracketed IPv6), fit for an HTTP header such as the CSP.</summary>
    public static string AsciiOrigin(Uri uri) => $"{uri.Scheme}://{AsciiHost(uri)}{Port(uri)}";

    private static string AsciiHost(Uri uri) => uri.HostNameType == UriHostNameType.IPv6 ? uri.Host : uri.IdnHost;

    private static string Port(Uri uri) => uri.IsDefaultPort || uri.Port < 0 ? "" : ":" + uri.Port.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Where a redirect URI sends the person: the origin for http(s); the whole URI without its query for a native
    /// app's private-use scheme (scheme, host and path), since the scheme alone says nothing about the target.
    /// </summary>
    public static string Redirect(Uri redirect)
    {
        if (redirect.Scheme is "http" or "https")
        {
            return $"{redirect.Scheme}://{Of(redirect)}";
        }

        var authority = string.IsNullOrEmpty(redirect.Host) ? "" : "//" + Of(redirect);
        return $"{redirect.Scheme}:{authority}{redirect.AbsolutePath}";
    }
}
