using Mnemo.Auth;

namespace Mnemo.Server.Mcp;

/// <summary>The scopes of Mnemo's MCP endpoint, handed to the auth module (which hard-codes none).</summary>
public static class MemoryScopes
{
    public const string Read = "memory:read";
    public const string Write = "memory:write";

    /// <summary>In the order they are advertised and shown on the consent page.</summary>
    public static IReadOnlyList<AuthScope> All { get; } =
    [
        new(Read, "search and read your memories"),
        new(Write, "save, change and delete your memories"),
    ];
}
