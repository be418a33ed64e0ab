using OpenIddict.Server;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Mnemo.Auth.OAuth.Handlers;

/// <summary>
/// Contains the logic responsible for rejecting authorization requests without a <c>redirect_uri</c>.
/// OpenIddict allows omitting it outside OpenID Connect; Mnemo does not, so the response target is
/// always an explicitly requested, exactly matched URI (OAuth 2.1 §4.1.1, RFC 9700 §4.1) and a client
/// with several registered URIs cannot be steered to one it did not ask for. The error shows on
/// Mnemo's error page: without a redirect URI there is nowhere safe to send it.
/// </summary>
internal sealed class RequireRedirectUri : IOpenIddictServerHandler<ValidateAuthorizationRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateAuthorizationRequestContext>()
            .UseSingletonHandler<RequireRedirectUri>()
            .SetOrder(OpenIddictServerHandlers.Authentication.ValidateRedirectUriParameter.Descriptor.Order - 1)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ValidateAuthorizationRequestContext context)
    {
        if (string.IsNullOrEmpty(context.RedirectUri))
        {
            context.Reject(
                error: OpenIddict.Abstractions.OpenIddictConstants.Errors.InvalidRequest,
                description: "The redirect_uri parameter is missing: send the exact redirect URI the client registered.");
        }

        return ValueTask.CompletedTask;
    }
}
