using Mnemo.Auth;

namespace Mnemo.Server.Hosting;

/// <summary>
/// Refuses MCP requests sent by a browser page on a foreign origin with 403, as the MCP Streamable HTTP
/// transport requires ("Servers MUST validate the Origin header… to prevent DNS rebinding attacks").
/// Requests without an Origin header (every non-browser client) pass.
/// </summary>
internal sealed class OriginValidationMiddleware(RequestDelegate next, OriginPolicy policy)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (context.Request.Headers.Origin is [{ } origin, ..] && !policy.IsAllowed(origin))
        {
            return JsonError.WriteAsync(context, StatusCodes.Status403Forbidden, "forbidden_origin",
                $"Origin '{origin}' may not call this MCP server. Add it to Mnemo:Cors:AllowedOrigins if it is yours.");
        }

        return next(context);
    }
}
