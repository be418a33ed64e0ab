using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Mnemo.Auth.OAuth;

/// <summary>
/// Every URL the OAuth server and the resource server publish. With <c>Mnemo:PublicUrl</c> they come
/// from it and nothing else (a Host header never chooses them); in local mode from the request's
/// scheme and Host, which the host has limited to loopback names on the bound port.
/// </summary>
public sealed class OAuthUrls(IOptions<MnemoAuthOptions> options)
{
    public const string ResourceMetadataPrefix = "/.well-known/oauth-protected-resource";

    /// <summary>The origin, no trailing slash: also the issuer (RFC 8414 §2, compared byte for byte).</summary>
    public string Origin(HttpContext context) =>
        options.Value.PublicOrigin ?? $"{context.Request.Scheme}://{context.Request.Host.Value}";

    public string Issuer(HttpContext context) => Origin(context);

    /// <summary>The protected resource (RFC 8707 resource indicator, token audience): the MCP endpoint URL.</summary>
    public string Resource(HttpContext context) => Origin(context) + options.Value.ResourcePath;

    /// <summary>RFC 9728 §3.1: the path-suffixed metadata URL of the resource.</summary>
    public string ResourceMetadata(HttpContext context) => Origin(context) + ResourceMetadataPrefix + options.Value.ResourcePath;

    public string Absolute(HttpContext context, string path) => Origin(context) + path;
}
