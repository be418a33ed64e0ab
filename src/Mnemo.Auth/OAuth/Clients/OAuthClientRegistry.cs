using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;
using Mnemo.Storage.Text;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Mnemo.Auth.OAuth.Clients;

internal sealed class OAuthClientRegistry(
    IOpenIddictApplicationManager applications,
    IOpenIddictAuthorizationManager authorizations,
    IOpenIddictTokenManager tokens,
    TimeProvider time,
    ILogger<OAuthClientRegistry> logger) : IOAuthClientRegistry
{
    public const string OriginProperty = "mnemo_origin";
    public const string CreatedProperty = "mnemo_created";
    public const int MaxNameLength = ClientText.MaxNameLength;

    /// <summary>
    /// A client chooses its own name, and the consent page shows it to a person: bidi overrides, zero-width and control
    /// characters are dropped and the length capped (<see cref="ClientText"/>), so a name cannot rearrange what is shown
    /// around it or hide a second name inside itself.
    /// </summary>
    public static string CleanName(string? name) => ClientText.Clean(name, MaxNameLength) ?? "Unnamed client";
    public const int MaxRedirectUris = 10;

    public async Task<RegisteredOAuthClient> RegisterAsync(string name, IReadOnlyList<string> redirectUris, bool confidential, OAuthClientOrigin origin, CancellationToken cancellationToken = default)
    {
        name = CleanName(name);
        if (redirectUris.Count == 0 || redirectUris.Count > MaxRedirectUris)
        {
            throw new OAuthClientException("invalid_redirect_uri", $"Register between 1 and {MaxRedirectUris} redirect URIs.");
        }

        foreach (var uri in redirectUris)
        {
            if (RedirectUriPolicy.Check(uri) is { } problem)
            {
                throw new OAuthClientException("invalid_redirect_uri", $"Redirect URI refused: {problem}.");
            }
        }

        // 128 random bits: client ids are public, but unguessable ids keep registrations from being enumerated.
        var clientId = "mnemo-" + WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(16));
        var secret = confidential ? WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32)) : null;
        var descriptor = NewDescriptor(clientId, name, redirectUris, confidential, origin);
        descriptor.ClientSecret = secret; // OpenIddict stores only a PBKDF2 hash of it.
        await applications.CreateAsync(descriptor, cancellationToken);
        AuthLog.ClientRegistered(logger, clientId, origin.ToString(), confidential);
        return new RegisteredOAuthClient(new OAuthClientInfo(clientId, name, confidential, [.. redirectUris], origin, time.GetUtcNow()), secret);
    }

    internal OpenIddictApplicationDescriptor NewDescriptor(string clientId, string name, IEnumerable<string> redirectUris, bool confidential, OAuthClientOrigin origin)
    {
        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = clientId,
            DisplayName = CleanName(name),
            ClientType = confidential ? ClientTypes.Confidential : ClientTypes.Public,
            ConsentType = ConsentTypes.Explicit,
            Permissions =
            {
                Permissions.Endpoints.Authorization,
                Permissions.Endpoints.Token,
                Permissions.Endpoints.Revocation,
                Permissions.GrantTypes.AuthorizationCode,
                Permissions.GrantTypes.RefreshToken,
                Permissions.ResponseTypes.Code,
                Permissions.Prefixes.Scope + Scopes.OfflineAccess,
            },
            // PKCE for every client, confidential ones included (OAuth 2.1 §4.1.1, RFC 9700 §2.1.1).
            Requirements = { Requirements.Features.ProofKeyForCodeExchange },
        };
        if (confidential)
        {
            descriptor.Permissions.Add(Permissions.Endpoints.Introspection);
        }

        foreach (var uri in redirectUris)
        {
            descriptor.RedirectUris.Add(new Uri(uri, UriKind.Absolute));
        }

        descriptor.Properties[OriginProperty] = JsonSerializer.SerializeToElement(origin.ToString());
        descriptor.Properties[CreatedProperty] = JsonSerializer.SerializeToElement(time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture));
        return descriptor;
    }

    public async Task<IReadOnlyList<OAuthClientInfo>> ListAsync(CancellationToken cancellationToken = default)
    {
        List<OAuthClientInfo> result = [];
        await foreach (var application in applications.ListAsync(count: null, offset: null, cancellationToken))
        {
            result.Add(await ToInfoAsync(application, cancellationToken));
        }

        return [.. result.OrderBy(c => c.CreatedAt ?? DateTimeOffset.MinValue).ThenBy(c => c.ClientId, StringComparer.Ordinal)];
    }

    public async Task<bool> DeleteAsync(string clientId, CancellationToken cancellationToken = default)
    {
        var application = await applications.FindByClientIdAsync(clientId, cancellationToken);
        if (application is null)
        {
            return false;
        }

        var id = await applications.GetIdAsync(application, cancellationToken);
        if (id is not null)
        {
            // Revoke first: should the delete below fail halfway, no token of the client still works.
            await tokens.RevokeByApplicationIdAsync(id, cancellationToken);
            await authorizations.RevokeByApplicationIdAsync(id, cancellationToken);
        }

        await applications.DeleteAsync(application, cancellationToken);
        AuthLog.ClientDeleted(logger, clientId);
        return true;
    }

    internal async Task<OAuthClientInfo> ToInfoAsync(object application, CancellationToken cancellationToken)
    {
        var properties = await applications.GetPropertiesAsync(application, cancellationToken);
        var origin = properties.TryGetValue(OriginProperty, out var o) && Enum.TryParse<OAuthClientOrigin>(o.GetString(), out var parsed) ? parsed : OAuthClientOrigin.Cli;
        DateTimeOffset? created = properties.TryGetValue(CreatedProperty, out var c) && DateTimeOffset.TryParse(c.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at) ? at : null;
        return new OAuthClientInfo(
            await applications.GetClientIdAsync(application, cancellationToken) ?? "",
            await applications.GetDisplayNameAsync(application, cancellationToken) ?? "",
            await applications.HasClientTypeAsync(application, ClientTypes.Confidential, cancellationToken),
            [.. await applications.GetRedirectUrisAsync(application, cancellationToken)],
            origin,
            created);
    }
}
