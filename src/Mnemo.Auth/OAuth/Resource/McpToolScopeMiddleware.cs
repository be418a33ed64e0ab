using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Server;
using OpenIddict.Abstractions;

namespace Mnemo.Auth.OAuth.Resource;

/// <summary>
/// Per-tool scopes, decided before dispatch: a <c>tools/call</c> whose tool is not read-only needs
/// <c>memory:write</c>, a read-only one (<c>readOnlyHint</c>) <c>memory:read</c>; a token without it
/// gets HTTP 403 <c>insufficient_scope</c> (RFC 6750 §3.1, MCP authorization "Scope Challenge").
/// <c>tools/list</c> is not filtered, so clients see what they could step up to. The SDK has no hook
/// that can answer 403, so the body is read once into memory (<see cref="McpRequestBody"/>) and handed on.
/// </summary>
internal sealed class McpToolScopeMiddleware(RequestDelegate next, IOptions<MnemoAuthOptions> authOptions, ILogger<McpToolScopeMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context, IOptions<McpServerOptions> mcpOptions)
    {
        // After UseAuthentication/UseAuthorization: an unauthenticated request never gets here on a
        // protected endpoint (it got 401), so only real callers are inspected.
        if (!HttpMethods.IsPost(context.Request.Method)
            || !context.Request.Path.StartsWithSegments(authOptions.Value.ResourcePath)
            || context.User.Identity?.IsAuthenticated != true)
        {
            await next(context);
            return;
        }

        if (await McpRequestBody.ReadAsync(context) is not { } body)
        {
            await McpRequestBody.WriteTooLargeAsync(context);
            return;
        }

        List<string> tools;
        try
        {
            tools = ReadToolCallNames(body);
        }
        catch (JsonException)
        {
            tools = []; // Not JSON: the MCP endpoint answers it; no tool runs from a body it cannot parse.
        }

        var granted = GrantedScopes(context.User);
        foreach (var tool in tools)
        {
            var required = RequiredScope(mcpOptions.Value, authOptions.Value, tool);
            if (required is not null && !granted.Contains(required))
            {
                AuthLog.InsufficientScope(logger, tool, required);
                await MnemoMcpAuthenticationHandler.WriteInsufficientScopeAsync(context, required);
                return;
            }
        }

        await next(context);
    }

    /// <summary>Scopes of the caller: the space-separated <c>scope</c> claim (JWT and API keys) and OpenIddict's <c>oi_scp</c> claims.</summary>
    internal static HashSet<string> GrantedScopes(ClaimsPrincipal user)
    {
        var scopes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var claim in user.FindAll(MnemoClaimTypes.Scope))
        {
            scopes.UnionWith(claim.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        }

        scopes.UnionWith(user.GetScopes());
        return scopes;
    }

    /// <summary>Null for an unknown tool: the SDK answers "unknown tool" and nothing runs.</summary>
    internal static string? RequiredScope(McpServerOptions options, MnemoAuthOptions authOptions, string toolName)
    {
        if (options.ToolCollection is null || !options.ToolCollection.TryGetPrimitive(toolName, out var tool))
        {
            return null;
        }

        return authOptions.RequiredScope(tool.ProtocolTool);
    }

    private static List<string> ReadToolCallNames(byte[] body)
    {
        List<string> names = [];
        using var document = JsonDocument.Parse(body);
        var messages = document.RootElement.ValueKind == JsonValueKind.Array
            ? document.RootElement.EnumerateArray().ToList()
            : [document.RootElement];
        foreach (var message in messages)
        {
            if (message.ValueKind == JsonValueKind.Object
                && message.TryGetProperty("method", out var method) && method.ValueKind == JsonValueKind.String && method.GetString() == "tools/call"
                && message.TryGetProperty("params", out var parameters) && parameters.ValueKind == JsonValueKind.Object
                && parameters.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String)
            {
                names.Add(name.GetString()!);
            }
        }

        return names;
    }
}
