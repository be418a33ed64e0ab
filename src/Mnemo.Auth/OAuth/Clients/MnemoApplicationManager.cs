using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mnemo.Auth.Audit;
using Mnemo.Auth.Storage;
using OpenIddict.Abstractions;
using OpenIddict.Core;
using OpenIddict.EntityFrameworkCore.Models;

namespace Mnemo.Auth.OAuth.Clients;

/// <summary>
/// OpenIddict's application manager with two changes: a loopback redirect URI matches a registered
/// loopback URI whatever its port (RFC 8252 §7.3 — native apps such as mcp-remote and Claude Code bind
/// an ephemeral port). Every other redirect URI must still equal a registered one character for
/// character (OAuth 2.1 §2.3.1, RFC 9700 §4.1.3); <c>localhost.evil.com</c> is not loopback. And every
/// client created or deleted is audited here, whichever path made it (DCR, metadata document, CLI, a reaper).
/// </summary>
internal sealed class MnemoApplicationManager(
    IOpenIddictApplicationCache<OpenIddictEntityFrameworkCoreApplication> cache,
    ILogger<OpenIddictApplicationManager<OpenIddictEntityFrameworkCoreApplication>> logger,
    IOptionsMonitor<OpenIddictCoreOptions> options,
    IOpenIddictApplicationStore<OpenIddictEntityFrameworkCoreApplication> store,
    IAuditLog audit)
    : OpenIddictApplicationManager<OpenIddictEntityFrameworkCoreApplication>(cache, logger, options, store)
{
    // The overload every other CreateAsync ends in (a descriptor, with or without a secret).
    public override async ValueTask CreateAsync(OpenIddictEntityFrameworkCoreApplication application, string? secret, CancellationToken cancellationToken = default)
    {
        await base.CreateAsync(application, secret, cancellationToken);
        var properties = await GetPropertiesAsync(application, cancellationToken);
        var origin = properties.TryGetValue(OAuthClientRegistry.OriginProperty, out var o) ? o.GetString() : null;
        // The name is the client's own choice: cleaned and capped by the audit log like any detail.
        audit.Record(AuditEventKind.ClientRegistered, clientId: application.ClientId,
            detail: $"{OAuthClientRegistry.CleanName(application.DisplayName)} ({origin ?? "unknown origin"}, {application.ClientType})");
    }

    public override async ValueTask DeleteAsync(OpenIddictEntityFrameworkCoreApplication application, CancellationToken cancellationToken = default)
    {
        await base.DeleteAsync(application, cancellationToken);
        audit.Record(AuditEventKind.ClientDeleted, clientId: application.ClientId);
    }

    // Every client lookup by a caller's client_id (authorize, token, revoke, introspection, registration read) ends here.
    public override ValueTask<OpenIddictEntityFrameworkCoreApplication?> FindByClientIdAsync(string identifier, CancellationToken cancellationToken = default) =>
        StoredText.CanMatch(identifier) ? base.FindByClientIdAsync(identifier, cancellationToken) : ValueTask.FromResult<OpenIddictEntityFrameworkCoreApplication?>(null);

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
