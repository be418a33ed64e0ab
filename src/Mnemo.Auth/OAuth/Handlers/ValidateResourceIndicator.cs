using OpenIddict.Abstractions;
using OpenIddict.Server;
using Microsoft.AspNetCore;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Mnemo.Auth.OAuth.Handlers;

/// <summary>
/// Contains the logic responsible for rejecting authorization and token requests whose <c>resource</c>
/// is not this server's MCP endpoint (RFC 8707 §2: <c>invalid_target</c>). A token minted for another
/// resource must never be obtainable here, and the audience Mnemo checks at <c>/mcp</c> is exactly the
/// MCP URL. OpenIddict's static resource list cannot express local mode (the URL follows the Host), so
/// its built-in check is off and this handler takes its place.
/// </summary>
internal sealed class ValidateResourceIndicator(OAuthUrls urls) :
    IOpenIddictServerHandler<ValidateAuthorizationRequestContext>,
    IOpenIddictServerHandler<ValidateTokenRequestContext>
{
    public static OpenIddictServerHandlerDescriptor AuthorizationDescriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateAuthorizationRequestContext>()
            .UseSingletonHandler<ValidateResourceIndicator>()
            .SetOrder(OpenIddictServerHandlers.Authentication.ValidateResourceParameter.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public static OpenIddictServerHandlerDescriptor TokenDescriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenRequestContext>()
            .UseSingletonHandler<ValidateResourceIndicator>()
            .SetOrder(OpenIddictServerHandlers.Exchange.ValidateResourceParameter.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ValidateAuthorizationRequestContext context)
    {
        Check(context, context.Request);
        return ValueTask.CompletedTask;
    }

    public ValueTask HandleAsync(ValidateTokenRequestContext context)
    {
        Check(context, context.Request);
        return ValueTask.CompletedTask;
    }

    private void Check(OpenIddictServerEvents.BaseValidatingContext context, OpenIddictRequest request)
    {
        var http = context.Transaction.GetHttpRequest()?.HttpContext
            ?? throw new InvalidOperationException("The OAuth server runs only inside ASP.NET Core.");
        var expected = urls.Resource(http);
        foreach (var resource in request.GetResources())
        {
            if (!string.Equals(resource, expected, StringComparison.Ordinal))
            {
                AuthLog.ResourceRefused(context.Logger, expected);
                context.Reject(
                    error: OpenIddictConstants.Errors.InvalidTarget,
                    description: $"The resource '{resource}' is not served here; use {expected}.");
                return;
            }
        }
    }
}
