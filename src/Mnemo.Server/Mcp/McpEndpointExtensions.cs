using Mnemo.Server.Hosting;
using ModelContextProtocol.AspNetCore;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Mnemo.Server.Mcp;

public static class McpEndpointExtensions
{
    public const string McpPath = "/mcp";

    /// <summary>The MCP server: memory tools, instructions, Streamable HTTP in the configured session mode, and legacy SSE where sessions exist.</summary>
    public static IMcpServerBuilder AddMnemoMcp(this IServiceCollection services, MnemoServerOptions options)
    {
        return services
            .AddMcpServer(server =>
            {
                server.ServerInfo = new Implementation { Name = "mnemo", Title = "Mnemo memory", Version = MnemoVersion.Current };
                server.ServerInstructions = ServerInstructions.Text;
            })
            .WithHttpTransport(http =>
            {
                var mode = options.Mcp.EffectiveSessionMode;
                http.SessionMode = mode switch
                {
                    McpSessionMode.Stateless => HttpServerSessionMode.Stateless,
                    McpSessionMode.Stateful => HttpServerSessionMode.Stateful,
                    _ => HttpServerSessionMode.StatefulForInitializeClients,
                };
// Deliberate: legacy SSE (MCP9004) has no request backpressure, but every request on it still needs a valid
// token, and 2024-11-05 clients have no other transport. It only exists with sessions.
#pragma warning disable MCP9004
                http.EnableLegacySse = mode != McpSessionMode.Stateless;
#pragma warning restore MCP9004
            })
            .WithTools<MemoryTools>(ToolResults.Json)
            .WithTools<ConnectorTools>(ToolResults.Json)
            .WithRequestFilters(filters => filters.AddCallToolFilter(next => async (context, cancellationToken) =>
            {
                // Wrong argument types get a message naming the argument, before the SDK's generic binding error.
                if (context.MatchedPrimitive is McpServerTool tool
                    && ToolArgumentValidator.Validate(tool.ProtocolTool.InputSchema, context.Params?.Arguments) is { } problem)
                {
                    return ToolResults.Error(problem);
                }

                return await next(context, cancellationToken);
            }));
    }

    /// <summary>
    /// Refuses malformed POSTs to <c>/mcp</c> (not JSON, not JSON-RPC) with 415/400 and a JSON-RPC error before the SDK
    /// sees them. Call after <c>UseAuthorization()</c>.
    /// </summary>
    public static IApplicationBuilder UseMnemoMcpRequestGuard(this IApplicationBuilder app) =>
        app.UseWhen(context => context.Request.Path.StartsWithSegments(McpPath), mcp => mcp.UseMiddleware<McpRequestGuardMiddleware>());

    /// <summary>
    /// Maps <c>/mcp</c> (and <c>/mcp/sse</c>, <c>/mcp/message</c> for legacy clients) behind authorization and the MCP
    /// CORS policy. There is deliberately no way to map it without authorization: the user of every tool call comes
    /// from the credential.
    /// </summary>
    public static IEndpointConventionBuilder MapMnemoMcp(this IEndpointRouteBuilder endpoints) =>
        // No scheme named here: the challenge must go to the default challenge scheme (STACK.md pitfall).
        endpoints.MapMcp(McpPath).RequireCors(HttpSecurityExtensions.McpCorsPolicy).RequireAuthorization();
}
