using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.Core;
using OpenIddict.EntityFrameworkCore.Models;

namespace Mnemo.Auth.OAuth.Clients;

/// <summary>
/// OpenIddict's application manager with one change: a loopback redirect URI matches a registered
/// loopback URI whatever its port (RFC 8252 §7.3 — native apps such as mcp-remote and Claude Code bind
/// an ephemeral port). Every other redirect URI must still equal a registered one character for
/// character (OAuth 2.1 §2.3.1, RFC 9700 §4.1.3); <c>localhost.evil.com</c> is not loopback.
/// </summary>
internal sealed class MnemoApplicationManager(
    IOpenIddictApplicationCache<OpenIddictEntityFrameworkCoreApplication> cache,
    ILogger<OpenIddictApplicationManager<OpenIddictEntityFrameworkCoreApplication>> logger,
    IOptionsMonitor<OpenIddictCoreOptions> options,
    IOpenIddictApplicationStore<OpenIddictEntityFrameworkCoreApplication> store)
    : OpenIddictApplicationManager<OpenIddictEntityFrameworkCoreApplication>(cache, logger, options, store)
{
    public override async ValueTask<bool> ValidateRedirectUriAsync(OpenIddictEntityFrameworkCoreApplication application, string uri, CancellationToken cancellationToken = default)
    {
        if (await base.ValidateRedirectUriAsync(application, uri, cancellationToken))
        {
            return true;
        }

        foreach (var registered in await GetRedirectUrisAsync(application, cancellationToken))
        {
            if (RedirectUriPolicy.MatchesIgnoringLoopbackPort(registered, uri))
            {
                return true;
            }
        }

        return false;
    }
}
