using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Mnemo.Auth.Audit.Handlers;

/// <summary>
/// Contains the logic responsible for auditing a replayed refresh token (past the reuse leeway) or authorization code.
/// OpenIddict's own check, which runs right after this one, then revokes every token of the grant and refuses the
/// request (RFC 9700 §4.14.2): a replay means the token may have been stolen, which the owner should be able to see.
/// The test is OpenIddict's (status redeemed; for refresh tokens, redeemed longer ago than the leeway), repeated here
/// because OpenIddict stops calling handlers once it has rejected the token.
/// </summary>
internal sealed class AuditTokenReuse(IAuditLog audit, IOpenIddictTokenManager tokens) : IOpenIddictServerHandler<ValidateTokenContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenContext>()
            .UseScopedHandler<AuditTokenReuse>()
            .SetOrder(OpenIddictServerHandlers.Protection.ValidateTokenEntry.Descriptor.Order - 1)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(ValidateTokenContext context)
    {
        if (context.IsRejected || context.Principal is not { } principal || string.IsNullOrEmpty(context.TokenId))
        {
            return;
        }

        var refresh = principal.HasTokenType(TokenTypeIdentifiers.RefreshToken);
        if (!refresh && !principal.HasTokenType(TokenTypeIdentifiers.Private.AuthorizationCode))
        {
            return;
        }

        var token = await tokens.FindByIdAsync(context.TokenId, context.CancellationToken);
        if (token is null || !await tokens.HasStatusAsync(token, Statuses.Redeemed, context.CancellationToken))
        {
            return;
        }

        if (refresh && context.Options.RefreshTokenReuseLeeway is { } leeway
            && (await tokens.GetRedemptionDateAsync(token, context.CancellationToken) is not { } redeemed
                || context.Options.TimeProvider.GetUtcNow() < redeemed + leeway))
        {
            return; // inside the grace window: a retry or a race, answered with a new pair
        }

        audit.Record(
            refresh ? AuditEventKind.RefreshTokenReuse : AuditEventKind.AuthorizationCodeReuse,
            principal.GetClaim(Claims.Subject),
            principal.GetPresenters().FirstOrDefault() ?? context.Request?.ClientId,
            "replayed after use: every token of the grant revoked");
    }
}
