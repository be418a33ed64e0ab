using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Mnemo.Auth.ApiKeys;
using ModelContextProtocol.AspNetCore.Authentication;

namespace Mnemo.Auth.OAuth.Resource;

/// <summary>
/// The MCP SDK's resource-metadata scheme (it serves RFC 9728 documents), with Mnemo's challenges:
/// the 401 names the absolute, path-suffixed metadata URL and the scopes (RFC 9728 §5.1, RFC 6750 §3),
/// adds <c>error="invalid_token"</c> only when a token was sent, and carries a JSON body; the 403 says
/// <c>insufficient_scope</c> with every scope needed (RFC 6750 §3.1). URLs come from
/// <see cref="OAuthUrls"/>, never from a Host header in public mode.
/// </summary>
internal sealed class MnemoMcpAuthenticationHandler(
    IOptionsMonitor<McpAuthenticationOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder) : McpAuthenticationHandler(options, loggerFactory, encoder)
{
    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var urls = Context.RequestServices.GetRequiredService<OAuthUrls>();
        var tokenSent = BearerToken.Read(Request) is not null;
        if (tokenSent)
        {
            AuthLog.AccessTokenRefused(Logger, Request.Path, "invalid, expired, revoked or foreign-audience token");
        }

        await BearerChallenge.WriteAsync(Context, tokenSent,
            $"resource_metadata=\"{urls.ResourceMetadata(Context)}\", scope=\"{AllScopes(Context)}\"");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        WriteInsufficientScopeAsync(Context, properties.GetParameter<string>(RequiredScopeParameter) ?? AllScopes(Context));

    private static string AllScopes(HttpContext context) =>
        string.Join(' ', context.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<MnemoAuthOptions>>().Value.ScopeNames);

    public const string RequiredScopeParameter = "mnemo_required_scope";

    public static async Task WriteInsufficientScopeAsync(HttpContext context, string scope)
    {
        var urls = context.RequestServices.GetRequiredService<OAuthUrls>();
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        context.Response.Headers[HeaderNames.WWWAuthenticate] =
            $"Bearer error=\"insufficient_scope\", scope=\"{scope}\", resource_metadata=\"{urls.ResourceMetadata(context)}\", error_description=\"This call needs the {scope} scope; reconnect and grant it.\"";
        context.Response.Headers.CacheControl = "no-store";
        await context.Response.WriteAsJsonAsync(
            new OAuthErrorBody("insufficient_scope", $"This call needs the '{scope}' scope, which the access token does not hold. Reconnect the app and allow it."),
            AuthJsonContext.Default.OAuthErrorBody);
    }
}
