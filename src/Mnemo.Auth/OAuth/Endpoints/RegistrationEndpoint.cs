using Microsoft.Extensions.DependencyInjection;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Mnemo.Auth.ApiKeys;
using Mnemo.Auth.OAuth.Clients;
using OpenIddict.Abstractions;

namespace Mnemo.Auth.OAuth.Endpoints;

/// <summary>RFC 7591 dynamic client registration at <c>POST /register</c>.</summary>
internal static class RegistrationEndpoint
{
    /// <summary>Real registrations are a few hundred bytes; the cap stops memory exhaustion through huge bodies.</summary>
    public const int MaxBodyBytes = 16 * 1024;

    private static readonly string[] SupportedGrantTypes = ["authorization_code", "refresh_token"];

    public static async Task HandleAsync(HttpContext context, DynamicClientRegistrar registrar, OAuthUrls urls, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger("Mnemo.Auth.Registration");
        context.Response.Headers.CacheControl = "no-store";
        if (context.Request.ContentLength is > MaxBodyBytes)
        {
            await RefuseAsync(context, logger, "invalid_client_metadata", $"The registration body is larger than {MaxBodyBytes} bytes.");
            return;
        }

        RegistrationRequest? request;
        try
        {
            using var limited = new MemoryStream();
            var buffer = new byte[4096];
            int read;
            while ((read = await context.Request.Body.ReadAsync(buffer, context.RequestAborted)) > 0)
            {
                if (limited.Length + read > MaxBodyBytes)
                {
                    await RefuseAsync(context, logger, "invalid_client_metadata", $"The registration body is larger than {MaxBodyBytes} bytes.");
                    return;
                }

                limited.Write(buffer, 0, read);
            }

            limited.Position = 0;
            // Unknown fields are ignored (RFC 7591 §2): clients send logo_uri, contacts, software_id…
            request = await JsonSerializer.DeserializeAsync(limited, RegistrationJsonContext.Default.RegistrationRequest, context.RequestAborted);
        }
        catch (JsonException)
        {
            await RefuseAsync(context, logger, "invalid_client_metadata", "The body is not a JSON client metadata object.");
            return;
        }

        if (request is null)
        {
            await RefuseAsync(context, logger, "invalid_client_metadata", "The body is not a JSON client metadata object.");
            return;
        }

        var authMethod = request.TokenEndpointAuthMethod ?? "none";
        if (authMethod is not ("none" or "client_secret_post" or "client_secret_basic"))
        {
            await RefuseAsync(context, logger, "invalid_client_metadata", $"token_endpoint_auth_method '{authMethod}' is not supported; use none, client_secret_post or client_secret_basic.");
            return;
        }

        var grantTypes = request.GrantTypes is { Length: > 0 } g ? g : ["authorization_code", "refresh_token"];
        if (grantTypes.Except(SupportedGrantTypes).FirstOrDefault() is { } badGrant)
        {
            // No implicit or password grant, ever (OAuth 2.1 §10.1, RFC 9700 §2.1.2, §2.4).
            await RefuseAsync(context, logger, "invalid_client_metadata", $"grant_type '{badGrant}' is not supported; use authorization_code and refresh_token.");
            return;
        }

        if (request.ResponseTypes is { Length: > 0 } responseTypes && responseTypes.Any(t => t != "code"))
        {
            await RefuseAsync(context, logger, "invalid_client_metadata", "Only the 'code' response type is supported.");
            return;
        }

        try
        {
            var registered = await registrar.RegisterAsync(
                request.ClientName ?? "", request.RedirectUris ?? [], confidential: authMethod != "none", context.RequestAborted);
            if (registered.Deduplicated)
            {
                AuthLog.ClientRegistrationDeduplicated(logger, registered.Info.ClientId);
            }

            context.Response.StatusCode = StatusCodes.Status201Created;
            await context.Response.WriteAsJsonAsync(
                Describe(context, urls, registered.Info, authMethod, registered.ClientSecret, registered.RegistrationAccessToken),
                RegistrationJsonContext.Default.RegistrationResponse);
        }
        catch (OAuthClientException e)
        {
            await RefuseAsync(context, logger, e.Error, e.Message);
        }
    }

    /// <summary>
    /// RFC 7592 §2.1 read: <c>GET /register/{client_id}</c> with the registration access token as a bearer token returns
    /// the client's current metadata. Without the token, with a wrong one, another client's, or for an unknown client:
    /// the same 401, so the endpoint does not say which clients exist.
    /// </summary>
    public static async Task ReadAsync(HttpContext context, string clientId, IOpenIddictApplicationManager applications, IOAuthClientRegistry registry, OAuthUrls urls)
    {
        context.Response.Headers.CacheControl = "no-store";
        var token = BearerToken.Read(context.Request);
        var application = clientId.Length > 2000 ? null : await applications.FindByClientIdAsync(clientId, context.RequestAborted);
        var hashes = application is null
            ? []
            : DynamicClientRegistrar.TokenHashes(await applications.GetPropertiesAsync(application, context.RequestAborted));
        if (application is null || !RegistrationAccessToken.Matches(token, hashes))
        {
            context.Response.Headers.WWWAuthenticate = token is null ? "Bearer" : "Bearer error=\"invalid_token\"";
            await JsonError.WriteAsync(context, StatusCodes.Status401Unauthorized, "invalid_token",
                "Send the registration_access_token of this client as 'Authorization: Bearer <token>'.");
            return;
        }

        var info = await ((OAuthClientRegistry)registry).ToInfoAsync(application, context.RequestAborted);
        var authMethod = info.Confidential ? "client_secret_basic" : "none";
        await context.Response.WriteAsJsonAsync(Describe(context, urls, info, authMethod, clientSecret: null, registrationAccessToken: null),
            RegistrationJsonContext.Default.RegistrationResponse);
    }

    private static RegistrationResponse Describe(HttpContext context, OAuthUrls urls, OAuthClientInfo info, string authMethod, string? clientSecret, string? registrationAccessToken) =>
        new(
            info.ClientId,
            (info.CreatedAt ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds(),
            clientSecret,
            0, // never expires (RFC 7591 §3.2.1: an integer, 0 = no expiry)
            info.Name,
            [.. info.RedirectUris],
            ["authorization_code", "refresh_token"],
            ["code"],
            authMethod,
            string.Join(' ', context.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<MnemoAuthOptions>>().Value.ScopeNames.Append("offline_access")),
            urls.Absolute(context, "/register/" + Uri.EscapeDataString(info.ClientId)),
            registrationAccessToken);

    private static async Task RefuseAsync(HttpContext context, ILogger logger, string error, string description)
    {
        AuthLog.ClientRegistrationRefused(logger, error, description);
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        await context.Response.WriteAsJsonAsync(new OAuthErrorBody(error, description), AuthJsonContext.Default.OAuthErrorBody);
    }
}

internal sealed record RegistrationRequest(
    [property: JsonPropertyName("redirect_uris")] string[]? RedirectUris,
    [property: JsonPropertyName("client_name")] string? ClientName,
    [property: JsonPropertyName("token_endpoint_auth_method")] string? TokenEndpointAuthMethod,
    [property: JsonPropertyName("grant_types")] string[]? GrantTypes,
    [property: JsonPropertyName("response_types")] string[]? ResponseTypes,
    [property: JsonPropertyName("scope")] string? Scope,
    [property: JsonPropertyName("application_type")] string? ApplicationType);

/// <summary>RFC 7591 §3.2.1. <c>client_secret</c> only for confidential clients, shown this once.</summary>
internal sealed record RegistrationResponse(
    [property: JsonPropertyName("client_id")] string ClientId,
    [property: JsonPropertyName("client_id_issued_at")] long ClientIdIssuedAt,
    [property: JsonPropertyName("client_secret"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ClientSecret,
    [property: JsonPropertyName("client_secret_expires_at")] long ClientSecretExpiresAt,
    [property: JsonPropertyName("client_name")] string ClientName,
    [property: JsonPropertyName("redirect_uris")] string[] RedirectUris,
    [property: JsonPropertyName("grant_types")] string[] GrantTypes,
    [property: JsonPropertyName("response_types")] string[] ResponseTypes,
    [property: JsonPropertyName("token_endpoint_auth_method")] string TokenEndpointAuthMethod,
    [property: JsonPropertyName("scope")] string Scope,
    [property: JsonPropertyName("registration_client_uri")] string RegistrationClientUri,
    [property: JsonPropertyName("registration_access_token"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? RegistrationAccessToken);

[JsonSerializable(typeof(RegistrationRequest))]
[JsonSerializable(typeof(RegistrationResponse))]
[JsonSourceGenerationOptions(AllowTrailingCommas = true, ReadCommentHandling = JsonCommentHandling.Skip)]
internal sealed partial class RegistrationJsonContext : JsonSerializerContext;
