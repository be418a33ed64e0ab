using OpenIddict.Validation;
using Microsoft.AspNetCore;
using static OpenIddict.Validation.OpenIddictValidationEvents;

namespace Mnemo.Auth.OAuth.Handlers;

/// <summary>
/// Contains the logic responsible for requiring that an access token presented to the MCP endpoint was
/// issued for it: its <c>aud</c> must contain this server's MCP URL (RFC 8707 §2, MCP authorization
/// "Token Audience Binding"). Without it a token minted for another resource of the same issuer would
/// be accepted (confused deputy). The URL is computed per request so local mode (Host-derived) works.
/// </summary>
internal sealed class AttachMcpAudience(OAuthUrls urls) : IOpenIddictValidationHandler<ValidateTokenContext>
{
    public static OpenIddictValidationHandlerDescriptor Descriptor { get; } =
        OpenIddictValidationHandlerDescriptor.CreateBuilder<ValidateTokenContext>()
            .UseSingletonHandler<AttachMcpAudience>()
            .SetOrder(OpenIddictValidationHandlers.Protection.ValidateAudiences.Descriptor.Order - 500)
            .SetType(OpenIddictValidationHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ValidateTokenContext context)
    {
        var request = context.Transaction.GetHttpRequest()
            ?? throw new InvalidOperationException("Token validation runs only inside ASP.NET Core.");

        // Never empty: OpenIddict skips the audience check when the valid-audience set is empty.
        context.ValidAudiences.Add(urls.Resource(request.HttpContext));
        return ValueTask.CompletedTask;
    }
}
