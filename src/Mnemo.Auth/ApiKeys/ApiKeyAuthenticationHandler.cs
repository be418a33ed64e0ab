using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Mnemo.Auth.ApiKeys;

public static class ApiKeyDefaults
{
    public const string AuthenticationScheme = "ApiKey";
}

internal sealed class ApiKeyAuthenticationOptions : AuthenticationSchemeOptions;

/// <summary>
/// Authenticates <c>Authorization: Bearer mnemo_…</c> API keys. Only the header is read: a key in a
/// query string ends up in proxy logs, browser history and Referer headers (RFC 6750 §2.3, §5.3).
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<ApiKeyAuthenticationOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder) : AuthenticationHandler<ApiKeyAuthenticationOptions>(options, loggerFactory, encoder)
{
    /// <summary>An API key is its owner's full credential: it holds every scope of the protected server.</summary>
    private string ScopeValue => string.Join(' ', Context.RequestServices.GetRequiredService<IOptions<MnemoAuthOptions>>().Value.ScopeNames);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var token = BearerToken.Read(Request);
        if (token is null)
        {
            return AuthenticateResult.NoResult();
        }

        if (!ApiKeySecret.LooksLikeKey(token))
        {
            // Not an API key (an OAuth access token, or garbage): another scheme may know it.
            return AuthenticateResult.NoResult();
        }

        var keys = Context.RequestServices.GetRequiredService<IApiKeyService>();
        var identity = await keys.ValidateAsync(token, Context.RequestAborted);
        if (identity is null)
        {
            AuthLog.BearerRefused(Logger, Request.Path, "unknown, revoked or disabled API key");
            return AuthenticateResult.Fail("The API key is unknown, revoked, or belongs to a disabled account.");
        }

        var claims = new List<Claim>
        {
            new(MnemoClaimTypes.Subject, identity.User.Id),
            new(MnemoClaimTypes.Name, identity.User.UserName),
            new(MnemoClaimTypes.App, identity.Key.Label ?? identity.Key.Id),
            new(MnemoClaimTypes.Scope, ScopeValue),
            new(MnemoClaimTypes.ApiKeyId, identity.Key.Id),
        };
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme.Name, MnemoClaimTypes.Name, "role"));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        BearerChallenge.WriteAsync(Context, BearerToken.Read(Request) is not null);

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        Response.Headers[HeaderNames.WWWAuthenticate] = $"Bearer error=\"insufficient_scope\", scope=\"{ScopeValue}\"";
        await Response.WriteAsJsonAsync(
            new OAuthErrorBody("insufficient_scope", "The credential does not grant access to this resource."),
            AuthJsonContext.Default.OAuthErrorBody);
    }
}

/// <summary>Reads a bearer token from the <c>Authorization</c> header, and from nowhere else.</summary>
internal static class BearerToken
{
    public static string? Read(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.Length > 7 && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var token = header[7..].Trim();
            return token.Length == 0 ? null : token;
        }

        return null;
    }
}

/// <summary>Writes the RFC 6750 §3 challenge with an OAuth-style JSON body.</summary>
internal static class BearerChallenge
{
    /// <summary>
    /// 401 with <c>WWW-Authenticate: Bearer</c>; <c>error="invalid_token"</c> only when a token was
    /// actually sent (RFC 6750 §3.1: a request without credentials gets no error code).
    /// </summary>
    public static async Task WriteAsync(HttpContext context, bool tokenSent, string? extraParameters = null)
    {
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        var parameters = new List<string>();
        if (tokenSent)
        {
            parameters.Add("error=\"invalid_token\"");
            parameters.Add("error_description=\"The access token is invalid, expired or revoked.\"");
        }

        if (!string.IsNullOrEmpty(extraParameters))
        {
            parameters.Add(extraParameters);
        }

        context.Response.Headers[HeaderNames.WWWAuthenticate] = parameters.Count == 0 ? "Bearer" : "Bearer " + string.Join(", ", parameters);
        context.Response.Headers.CacheControl = "no-store";
        var body = tokenSent
            ? new OAuthErrorBody("invalid_token", "The access token or API key is invalid, expired or revoked.")
            : new OAuthErrorBody("unauthorized", "This endpoint needs 'Authorization: Bearer <token>' (an OAuth access token or a Mnemo API key).");
        await context.Response.WriteAsJsonAsync(body, AuthJsonContext.Default.OAuthErrorBody);
    }
}
