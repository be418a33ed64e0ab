using System.Security.Claims;
using Mnemo.Auth;
using Mnemo.Memory.Memories;
using ModelContextProtocol.Server;

namespace Mnemo.Server.Mcp;

/// <summary>Turns the authenticated principal of an MCP request into the memory module's caller.</summary>
internal static class McpCaller
{
    /// <summary>
    /// The user comes only from the authenticated token — never from a tool argument or the URL — so one
    /// user's assistant cannot name another user's data. The app is the MCP client's own name from
    /// <c>initialize</c>, else the name the credential was issued to (an API key's label, an OAuth client).
    /// </summary>
    public static MemoryCaller From(ClaimsPrincipal user, McpServer server)
    {
        var userId = user.FindFirst(MnemoClaimTypes.Subject)?.Value
            ?? throw new InvalidOperationException("An MCP request reached a tool without an authenticated subject; /mcp must require authorization.");
        var app = server.ClientInfo?.Name is { Length: > 0 } clientName ? clientName : user.FindFirst(MnemoClaimTypes.App)?.Value;
        return new MemoryCaller(userId, app);
    }
}
