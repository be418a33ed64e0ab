using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Mnemo.Auth.OAuth.Handlers;

/// <summary>
/// Contains the logic responsible for revoking the whole grant when a refresh token is revoked:
/// RFC 7009 §2.1 says access tokens based on the same grant SHOULD be invalidated too. A connector
/// that disconnects revokes its refresh token; its access token must stop working at the next MCP
/// call (authorization-entry validation at the resource server sees the revoked authorization).
/// </summary>
internal sealed class RevokeGrantWithRefreshToken(IOpenIddictAuthorizationManager authorizations, IOpenIddictTokenManager tokens)
    : IOpenIddictServerHandler<HandleRevocationRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<HandleRevocationRequestContext>()
            .UseScopedHandler<RevokeGrantWithRefreshToken>()
            .SetOrder(OpenIddictServerHandlers.Revocation.RevokeToken.Descriptor.Order + 1_000)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(HandleRevocationRequestContext context)
    {
        var principal = context.GenericTokenPrincipal;
        if (context.IsRejected || principal is null
            || !principal.HasTokenType(OpenIddictConstants.TokenTypeIdentifiers.RefreshToken)
            || principal.GetAuthorizationId() is not { Length: > 0 } authorizationId)
        {
            return;
        }

        if (await authorizations.FindByIdAsync(authorizationId) is { } authorization)
        {
            await authorizations.TryRevokeAsync(authorization);
        }

        await tokens.RevokeByAuthorizationIdAsync(authorizationId);
        AuthLog.GrantRevoked(context.Logger, authorizationId);
    }
}
