using OpenIddict.Abstractions;
using OpenIddict.Server;
using Microsoft.AspNetCore;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Mnemo.Auth.OAuth.Handlers;

/// <summary>
/// Contains the logic responsible for shaping the RFC 8414 / OIDC discovery document for MCP clients:
/// the registration endpoint (RFC 7591 §3), client ID metadata document support, the RFC 9207 flag,
/// <c>none</c> listed first among client authentication methods (the SDK clients pick the first one)
/// and S256 as the only PKCE method (OAuth 2.1 §4.1.1: <c>plain</c> is never offered).
/// Added at the response stage: OpenIddict does not know the issuer in its early metadata hooks.
/// </summary>
internal sealed class AdvertiseMcpMetadata(OAuthUrls urls, Microsoft.Extensions.Options.IOptions<MnemoAuthOptions> options) : IOpenIddictServerHandler<ApplyConfigurationResponseContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ApplyConfigurationResponseContext>()
            .UseSingletonHandler<AdvertiseMcpMetadata>()
            .SetOrder(AttachExactIssuer.ConfigurationDescriptor.Order + 1)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ApplyConfigurationResponseContext context)
    {
        if (context.Transaction.GetHttpRequest() is not { } request || !string.IsNullOrEmpty(context.Response.Error))
        {
            return ValueTask.CompletedTask;
        }

        var response = context.Response;

        // OpenIddict derives endpoint URLs from the request (http behind a TLS-terminating proxy);
        // publish them under the public origin like everything else.
        foreach (var name in EndpointNames)
        {
            if (response[name]?.ToString() is { Length: > 0 } value && Uri.TryCreate(value, UriKind.Absolute, out var uri))
            {
                response[name] = urls.Absolute(request.HttpContext, uri.PathAndQuery);
            }
        }

        response["registration_endpoint"] = urls.Absolute(request.HttpContext, "/register");
        response["client_id_metadata_document_supported"] = true;
        response["authorization_response_iss_parameter_supported"] = true;
        response[OpenIddictConstants.Metadata.CodeChallengeMethodsSupported] = Array(OpenIddictConstants.CodeChallengeMethods.Sha256);
        response[OpenIddictConstants.Metadata.TokenEndpointAuthMethodsSupported] = Array("none", "client_secret_post", "client_secret_basic");
        response[OpenIddictConstants.Metadata.ResponseTypesSupported] = Array(OpenIddictConstants.ResponseTypes.Code);
        response[OpenIddictConstants.Metadata.ResponseModesSupported] = Array(OpenIddictConstants.ResponseModes.Query);
        response[OpenIddictConstants.Metadata.GrantTypesSupported] = Array(OpenIddictConstants.GrantTypes.AuthorizationCode, OpenIddictConstants.GrantTypes.RefreshToken);
        response[OpenIddictConstants.Metadata.ScopesSupported] = Array([.. options.Value.ScopeNames, OpenIddictConstants.Scopes.OfflineAccess]);
        return ValueTask.CompletedTask;
    }

    private static readonly string[] EndpointNames =
    [
        OpenIddictConstants.Metadata.AuthorizationEndpoint,
        OpenIddictConstants.Metadata.TokenEndpoint,
        OpenIddictConstants.Metadata.RevocationEndpoint,
        OpenIddictConstants.Metadata.IntrospectionEndpoint,
        OpenIddictConstants.Metadata.JwksUri,
        OpenIddictConstants.Metadata.UserInfoEndpoint,
        OpenIddictConstants.Metadata.EndSessionEndpoint,
        OpenIddictConstants.Metadata.DeviceAuthorizationEndpoint,
        OpenIddictConstants.Metadata.PushedAuthorizationRequestEndpoint,
    ];

    private static OpenIddictParameter Array(params string[] values) => System.Collections.Immutable.ImmutableArray.Create<string?>(values);
}
