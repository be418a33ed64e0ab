using OpenIddict.Server;
using Microsoft.AspNetCore;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Mnemo.Auth.OAuth.Handlers;

/// <summary>
/// Contains the logic responsible for writing the issuer exactly as published — the origin without a
/// trailing slash — in authorization responses (RFC 9207 §2) and in the discovery document
/// (RFC 8414 §3.3). OpenIddict would write <c>https://host/</c>; a client that compares the issuer
/// byte for byte with the authorization server it found in the resource metadata (RFC 9728 §3.3,
/// MCP 2026-07-28) would then reject the response as a mix-up.
/// </summary>
internal sealed class AttachExactIssuer(OAuthUrls urls) :
    IOpenIddictServerHandler<ApplyAuthorizationResponseContext>,
    IOpenIddictServerHandler<ApplyConfigurationResponseContext>
{
    public static OpenIddictServerHandlerDescriptor AuthorizationDescriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ApplyAuthorizationResponseContext>()
            .UseSingletonHandler<AttachExactIssuer>()
            // Before OpenIddict's own AttachIssuer, which leaves a value already present alone.
            .SetOrder(OpenIddictServerHandlers.Authentication.AttachIssuer.Descriptor.Order - 1)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public static OpenIddictServerHandlerDescriptor ConfigurationDescriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ApplyConfigurationResponseContext>()
            .UseSingletonHandler<AttachExactIssuer>()
            .SetOrder(int.MinValue + 100_000)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ApplyAuthorizationResponseContext context)
    {
        // Every response that goes back to the client's redirect URI carries iss, errors included.
        if (!string.IsNullOrEmpty(context.RedirectUri) && context.Transaction.GetHttpRequest() is { } request)
        {
            context.Response.Iss = urls.Issuer(request.HttpContext);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask HandleAsync(ApplyConfigurationResponseContext context)
    {
        if (context.Transaction.GetHttpRequest() is { } request && string.IsNullOrEmpty(context.Response.Error))
        {
            context.Response[OpenIddict.Abstractions.OpenIddictConstants.Metadata.Issuer] = urls.Issuer(request.HttpContext);
        }

        return ValueTask.CompletedTask;
    }
}
