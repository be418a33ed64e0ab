using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using Mnemo.Auth.ApiKeys;

namespace Mnemo.Auth.OAuth;

/// <summary>
/// Browser-based MCP clients read discovery documents and call /token, /register and /revoke from
/// their own origin: these answer any origin with <c>*</c> and never with credentials (no cookies are
/// involved there, so <c>*</c> exposes nothing a server-side client could not fetch). Preflights are
/// answered before authentication. Wrong methods on POST-only endpoints get 405 (OAUTH.md attack list).
/// The MCP endpoint is not covered here: it has its own allow-list.
/// </summary>
internal sealed class OAuthEndpointCorsMiddleware(RequestDelegate next)
{
    private static readonly string[] PostOnly = ["/token", "/register", "/revoke", "/introspect"];

    public Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path;
        var postOnly = PostOnly.Any(p => path.Equals(p, StringComparison.OrdinalIgnoreCase));
        if (!postOnly && !path.StartsWithSegments("/.well-known", StringComparison.OrdinalIgnoreCase))
        {
            return next(context);
        }

        var headers = context.Response.Headers;
        if (context.Request.Headers.ContainsKey(HeaderNames.Origin))
        {
            headers.AccessControlAllowOrigin = "*";
            headers.AccessControlExposeHeaders = "WWW-Authenticate";
        }

        if (HttpMethods.IsOptions(context.Request.Method))
        {
            headers.AccessControlAllowMethods = postOnly ? "POST, OPTIONS" : "GET, OPTIONS";
            headers.AccessControlAllowHeaders = "Authorization, Content-Type, MCP-Protocol-Version";
            headers.AccessControlMaxAge = "86400";
            context.Response.StatusCode = StatusCodes.Status204NoContent;
            return Task.CompletedTask;
        }

        if (postOnly && !HttpMethods.IsPost(context.Request.Method))
        {
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            headers.Allow = "POST";
            return context.Response.WriteAsJsonAsync(
                new OAuthErrorBody("invalid_request", $"{path} accepts only POST."), AuthJsonContext.Default.OAuthErrorBody);
        }

        return next(context);
    }
}
