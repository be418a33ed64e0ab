using Microsoft.Extensions.Options;

namespace Mnemo.Server.Hosting;

/// <summary>
/// Decides which browser origins may call <c>/mcp</c>. A page on a foreign origin must never drive a
/// user's MCP session (DNS rebinding and cross-site request attacks, MCP transport spec "Security Warning").
/// </summary>
public sealed class OriginPolicy(IOptions<MnemoServerOptions> options)
{
    private readonly HashSet<string> _configured = options.Value.Cors.AllowedOrigins
        .Select(o => TryNormalize(o, out var n) ? n : null)
        .OfType<string>()
        .ToHashSet(StringComparer.OrdinalIgnoreCase);

    private readonly string? _publicOrigin = options.Value.PublicOrigin is { } uri ? Normalize(uri) : null;

    public bool IsAllowed(string origin)
    {
        if (!TryNormalize(origin, out var normalized))
        {
            return false;
        }

        if (_configured.Count > 0)
        {
            return _configured.Contains(normalized);
        }

        // Default: the public origin, plus loopback origins on any port (local tools such as MCP Inspector).
        var uri = new Uri(normalized);
        return string.Equals(normalized, _publicOrigin, StringComparison.OrdinalIgnoreCase) || LoopbackHost.IsLoopback(uri.Host);
    }

    public static bool TryNormalize(string? origin, out string normalized)
    {
        normalized = "";
        if (string.IsNullOrWhiteSpace(origin)
            || !Uri.TryCreate(origin, UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || uri.AbsolutePath != "/" || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.UserInfo))
        {
            return false;
        }

        normalized = Normalize(uri);
        return true;
    }

    private static string Normalize(Uri uri) => uri.GetLeftPart(UriPartial.Authority).ToLowerInvariant();
}
