using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Mnemo.Auth.Audit.Handlers;

/// <summary>Contains the logic responsible for auditing a token a client revoked at <c>/revoke</c> (RFC 7009).</summary>
internal sealed class AuditRevocation(IAuditLog audit) : IOpenIddictServerHandler<HandleRevocationRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<HandleRevocationRequestContext>()
            .UseSingletonHandler<AuditRevocation>()
            .SetOrder(OpenIddictServerHandlers.Revocation.RevokeToken.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(HandleRevocationRequestContext context)
    {
        if (context.IsRejected || context.GenericTokenPrincipal is not { } principal)
        {
            return ValueTask.CompletedTask;
        }

        audit.Record(
            AuditEventKind.TokenRevoked,
            principal.GetClaim(Claims.Subject),
            context.Request.ClientId ?? principal.GetPresenters().FirstOrDefault(),
            principal.HasTokenType(TokenTypeIdentifiers.RefreshToken) ? "refresh token (and its grant)" : "access token");
        return ValueTask.CompletedTask;
    }
}
