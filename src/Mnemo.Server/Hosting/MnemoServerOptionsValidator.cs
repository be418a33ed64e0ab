using Microsoft.Extensions.Options;

namespace Mnemo.Server.Hosting;

/// <summary>Fails start-up with a message that names the setting and the fix, instead of running half-configured.</summary>
internal sealed class MnemoServerOptionsValidator : IValidateOptions<MnemoServerOptions>
{
    public ValidateOptionsResult Validate(string? name, MnemoServerOptions options)
    {
        var failures = new List<string>();

        if (!string.IsNullOrWhiteSpace(options.PublicUrl))
        {
            // Every issuer, resource and redirect URL is built from this value, so a path or trailing slash
            // would make issuer comparison drift (RFC 8414 §3.3 requires an exact match).
            if (!Uri.TryCreate(options.PublicUrl, UriKind.Absolute, out var uri)
                || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            {
                failures.Add($"Mnemo:PublicUrl '{options.PublicUrl}' is not an absolute http(s) URL. Set it to the origin clients use, e.g. https://mnemo.example.com.");
            }
            else if (uri.AbsolutePath != "/" || options.PublicUrl.EndsWith('/') || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment) || !string.IsNullOrEmpty(uri.UserInfo))
            {
                failures.Add($"Mnemo:PublicUrl '{options.PublicUrl}' must be an origin only: no path, query or trailing slash (e.g. https://mnemo.example.com).");
            }
        }

        if (string.IsNullOrWhiteSpace(options.DataDir))
        {
            failures.Add("Mnemo:DataDir is empty. Set it (or pass --data-dir) to the folder where Mnemo keeps its database.");
        }

        foreach (var proxy in options.ForwardedHeaders.KnownProxies)
        {
            if (!System.Net.IPAddress.TryParse(proxy, out _))
            {
                failures.Add($"Mnemo:ForwardedHeaders:KnownProxies contains '{proxy}': use IP addresses of your reverse proxies, e.g. 10.0.0.2.");
            }
        }

        foreach (var origin in options.Cors.AllowedOrigins)
        {
            if (!OriginPolicy.TryNormalize(origin, out _))
            {
                failures.Add($"Mnemo:Cors:AllowedOrigins entry '{origin}' is not an origin. Use scheme://host[:port], e.g. https://app.example.com.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
