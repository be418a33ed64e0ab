using ModelContextProtocol.Protocol;

namespace Mnemo.Auth;

/// <summary>Ready-made maps from an MCP tool to the scope a <c>tools/call</c> of it needs (<see cref="MnemoAuthOptions.ToolScope"/>).</summary>
public static class ToolScopes
{
    /// <summary>
    /// Tools annotated <c>readOnlyHint: true</c> need <paramref name="readScope"/>; every other tool needs
    /// <paramref name="writeScope"/> (a tool that does not say it is read-only is treated as one that writes).
    /// </summary>
    public static Func<Tool, string> ByReadOnlyHint(string readScope, string writeScope)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(readScope);
        ArgumentException.ThrowIfNullOrWhiteSpace(writeScope);
        return tool => tool.Annotations?.ReadOnlyHint == true ? readScope : writeScope;
    }
}
