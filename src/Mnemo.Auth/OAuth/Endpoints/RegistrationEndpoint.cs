using Microsoft.Extensions.DependencyInjection;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Mnemo.Auth.OAuth.Clients;

namespace Mnemo.Auth.OAuth.Endpoints;

/// <summary>RFC 7591 dynamic client registration at <c>POST /register</c>.</summary>
internal static class RegistrationEndpoint
{
    /// <summary>Real registrations are a few hundred bytes; the cap stops memory exhaustion through huge bodies.</summary>
    public const int MaxBodyBytes = 16 * 1024;

    private static readonly string[] SupportedGrantTypes = ["authorization_code", "refresh_token"];

    public static async Task HandleAsync(HttpContext context, IOAuthClientRegistry registry, ILoggerFactory loggers)
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
            var registered = await registry.RegisterAsync(
                request.ClientName ?? "", request.RedirectUris ?? [], confidential: authMethod != "none", OAuthClientOrigin.Dynamic, context.RequestAborted);
            context.Response.StatusCode = StatusCodes.Status201Created;
            await context.Response.WriteAsJsonAsync(
                new RegistrationResponse(
                    registered.Info.ClientId,
                    (registered.Info.CreatedAt ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds(),
                    registered.ClientSecret,
                    0, // never expires (RFC 7591 §3.2.1: an integer, 0 = no expiry)
                    registered.Info.Name,
                    [.. registered.Info.RedirectUris],
                    ["authorization_code", "refresh_token"],
                    ["code"],
                    authMethod,
                    string.Join(' ', context.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<MnemoAuthOptions>>().Value.ScopeNames.Append("offline_access"))),
                RegistrationJsonContext.Default.RegistrationResponse);
        }
        catch (OAuthClientException e)
        {
            await RefuseAsync(context, logger, e.Error, e.Message);
        }
    }

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
    [property: JsonPropertyName("scope")] string Scope);

[JsonSerializable(typeof(RegistrationRequest))]
[JsonSerializable(typeof(RegistrationResponse))]
[JsonSourceGenerationOptions(AllowTrailingCommas = true, ReadCommentHandling = JsonCommentHandling.Skip)]
internal sealed partial class RegistrationJsonContext : JsonSerializerContext;
