using System.Text.Json.Nodes;

namespace Mnemo.Bench.Floor;

/// <summary>
/// How a <c>tools/call</c> is sent without <c>initialize</c> and without <c>Mcp-Session-Id</c>, i.e. what wrk can
/// repeat on any connection. <see cref="Classic"/> is a 2025-11-25 request, which stateless servers (both SDK echoes,
/// Mnemo with <c>SessionMode=Stateless</c>) answer. A Hybrid server (the C# SDK's <c>StatefulForInitializeClients</c>)
/// refuses that without a session and serves only 2026-07-28 requests statelessly; that revision has no
/// <c>initialize</c>, so each request names its version and client capabilities in <c>params._meta</c> and its method
/// and tool name in the <c>Mcp-Method</c> and <c>Mcp-Name</c> headers (<see cref="Revision20260728"/>).
/// </summary>
internal sealed record CallShape(string Description, string ProtocolVersion, bool PerRequestMeta)
{
    public static readonly CallShape Classic = new("MCP-Protocol-Version 2025-11-25, no session", "2025-11-25", PerRequestMeta: false);

    public static readonly CallShape Revision20260728 = new(
        "MCP-Protocol-Version 2026-07-28 with _meta protocolVersion/clientCapabilities and Mcp-Method/Mcp-Name headers", "2026-07-28", PerRequestMeta: true);

    public string Body(int id, string tool, JsonObject arguments)
    {
        var parameters = new JsonObject { ["name"] = tool, ["arguments"] = arguments };
        if (PerRequestMeta)
        {
            parameters["_meta"] = new JsonObject
            {
                ["io.modelcontextprotocol/protocolVersion"] = ProtocolVersion,
                ["io.modelcontextprotocol/clientCapabilities"] = new JsonObject(),
            };
        }

        return new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id, ["method"] = "tools/call", ["params"] = parameters }.ToJsonString();
    }

    /// <summary>Every header of the request but Host and Content-Length (wrk and HttpClient add those).</summary>
    public IReadOnlyDictionary<string, string> Headers(string? bearer, string tool)
    {
        var headers = new Dictionary<string, string>
        {
            ["Content-Type"] = "application/json",
            ["Accept"] = "application/json, text/event-stream",
            ["MCP-Protocol-Version"] = ProtocolVersion,
        };
        if (bearer is not null)
        {
            headers["Authorization"] = $"Bearer {bearer}";
        }

        if (PerRequestMeta)
        {
            headers["Mcp-Method"] = "tools/call";
            headers["Mcp-Name"] = tool;
        }

        return headers;
    }
}
