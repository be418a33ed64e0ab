using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Mnemo.Auth.Audit.Handlers;

/// <summary>
/// Contains the logic responsible for auditing every access token the token endpoint hands out: after a code
/// (<see cref="AuditEventKind.TokenIssued"/>) or a refresh token (<see cref="AuditEventKind.TokenRefreshed"/>). Only the
/// user, the client and the scopes are recorded, never the tokens themselves.
/// </summary>
internal sealed class AuditTokenIssued(IAuditLog audit) : IOpenIddictServerHandler<ProcessSignInContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ProcessSignInContext>()
            .UseSingletonHandler<AuditTokenIssued>()
            // After the tokens were generated (only a sign-in that produced them is an issued token), and before
            // OpenIddict writes the token response, which ends the event.
            .SetOrder(OpenIddictServerHandlers.Exchange.ApplyTokenResponse<ProcessSignInContext>.Descriptor.Order - 1_000)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ProcessSignInContext context)
    {
        if (context.EndpointType != OpenIddictServerEndpointType.Token || context.IsRejected || string.IsNullOrEmpty(context.AccessToken))
        {
            return ValueTask.CompletedTask;
        }

        audit.Record(
            context.Request.IsRefreshTokenGrantType() ? AuditEventKind.TokenRefreshed : AuditEventKind.TokenIssued,
            context.Principal?.GetClaim(OpenIddictConstants.Claims.Subject),
            context.ClientId ?? context.Request.ClientId,
            "scopes: " + string.Join(' ', context.Principal?.GetScopes() ?? []));
        return ValueTask.CompletedTask;
    }
}
