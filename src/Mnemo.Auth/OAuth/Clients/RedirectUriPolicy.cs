using System.Net;

namespace Mnemo.Auth.OAuth.Clients;

/// <summary>
/// Which redirect URIs a client may register (OAuth 2.1 §2.3.1, RFC 8252 §7, RFC 9700 §4.1):
/// https anywhere; http only on loopback; private-use schemes for native apps. Never script or data
/// URIs, fragments, credentials or wildcards.
/// </summary>
internal static class RedirectUriPolicy
{
    private static readonly HashSet<string> ForbiddenSchemes = new(StringComparer.OrdinalIgnoreCase)
    {
        "javascript", "data", "vbscript", "file", "about", "blob", "filesystem", "ftp", "ws", "wss", "mailto", "tel",
    };

    public const int MaxLength = 2000;

    /// <summary>Null when <paramref name="value"/> may be registered; otherwise the reason.</summary>
    public static string? Check(string? value)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Length > MaxLength)
        {
            return "a redirect URI is empty or longer than 2000 characters";
        }

        if (value.Contains('*'))
        {
            return $"'{value}' contains a wildcard; register exact URIs";
        }

        if (value.Contains('#'))
        {
            return $"'{value}' has a fragment (RFC 6749 §3.1.2)";
        }

        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || value.Any(char.IsWhiteSpace) || value.Any(char.IsControl))
        {
            return $"'{value}' is not an absolute URI";
        }

        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            return $"'{value}' carries credentials";
        }

        if (ForbiddenSchemes.Contains(uri.Scheme))
        {
            return $"'{value}' uses the '{uri.Scheme}:' scheme, which cannot be a redirect target";
        }

        if (uri.Scheme == Uri.UriSchemeHttps)
        {
            return string.IsNullOrEmpty(uri.Host) ? $"'{value}' has no host" : null;
        }

        if (uri.Scheme == Uri.UriSchemeHttp)
        {
            // RFC 8252 §7.3/§8.3: plain http only for loopback redirects of native apps.
            return IsLoopback(uri) ? null : $"'{value}' uses http on a non-loopback host; use https (http is allowed only for localhost, 127.0.0.1 and [::1])";
        }

        // Private-use URI scheme of a native app (RFC 8252 §7.1): only in the reverse-DNS shape the RFC requires
        // (com.example.app:/cb), or one of a few well-known app schemes. Anything else (x-safari-https://…, a scheme
        // that reads like a browser's) could make the consent page and the address bar suggest a different target.
        return IsReverseDomainScheme(uri.Scheme) || KnownAppSchemes.Contains(uri.Scheme)
            ? null
            : $"'{value}' uses the private-use scheme '{uri.Scheme}:'; native apps must use a reverse domain name they control (e.g. com.example.app:/callback, RFC 8252 §7.1)";
    }

    /// <summary>Editors and assistants known to register their own short scheme rather than a reverse domain name.</summary>
    public static readonly IReadOnlySet<string> KnownAppSchemes = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "cursor", "vscode", "vscode-insiders", "vscodium", "windsurf", "zed",
    };

    /// <summary>At least two dot-separated labels of letters, digits and hyphens, none empty: <c>com.example.app</c>.</summary>
    internal static bool IsReverseDomainScheme(string scheme)
    {
        var labels = scheme.Split('.');
        return labels.Length >= 2
            && labels.All(label => label.Length is > 0 and <= 63 && label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-') && label[0] != '-' && label[^1] != '-');
    }

    /// <summary>True for http(s) redirect URIs on localhost, 127.0.0.1 or [::1].</summary>
    public static bool IsLoopback(Uri uri) =>
        string.Equals(uri.Host, "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip) && (ip.Equals(IPAddress.Loopback) || ip.Equals(IPAddress.IPv6Loopback)));

    /// <summary>
    /// RFC 8252 §7.3: a loopback redirect URI matches a registered one whatever its port (native apps
    /// bind an ephemeral port). Everything else — scheme, host, path, query — must be identical.
    /// </summary>
    public static bool MatchesIgnoringLoopbackPort(string registered, string presented)
    {
        if (!Uri.TryCreate(registered, UriKind.Absolute, out var r) || !Uri.TryCreate(presented, UriKind.Absolute, out var p))
        {
            return false;
        }

        if (r.Scheme != Uri.UriSchemeHttp || p.Scheme != Uri.UriSchemeHttp || !IsLoopback(r) || !IsLoopback(p))
        {
            return false;
        }

        return string.Equals(r.Host, p.Host, StringComparison.Ordinal)
            && string.Equals(r.PathAndQuery, p.PathAndQuery, StringComparison.Ordinal)
            && string.Equals(StripPort(registered, r), StripPort(presented, p), StringComparison.Ordinal);
    }

    private static string StripPort(string original, Uri uri)
    {
        // Compare the raw text after the authority so that percent-encoding differences still count.
        var authorityEnd = original.IndexOf('/', uri.Scheme.Length + 3);
        return authorityEnd < 0 ? "" : original[authorityEnd..];
    }
}
