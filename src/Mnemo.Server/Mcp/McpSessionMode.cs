namespace Mnemo.Server.Mcp;

/// <summary>How <c>/mcp</c> keeps sessions (<c>Mnemo:Mcp:SessionMode</c>).</summary>
public enum McpSessionMode
{
    /// <summary>
    /// Default. Clients of MCP 2026-07-28 and later are served without sessions (that revision has none); older clients,
    /// which start with <c>initialize</c>, get a session with an <c>Mcp-Session-Id</c>, kept in the memory of the
    /// instance that created it. Behind a load balancer, those older clients need sticky routing (or <see cref="Stateless"/>).
    /// </summary>
    Hybrid,

    /// <summary>
    /// Every client gets a session (2026-07-28 clients are told to fall back to <c>initialize</c>); sessions live in one
    /// instance's memory, so several instances need sticky routing. Needed only for the legacy HTTP+SSE transport.
    /// </summary>
    Stateful,

    /// <summary>
    /// No sessions for anyone: any instance answers any request, so no sticky routing is needed. Mnemo's tools need
    /// nothing from a session; the legacy HTTP+SSE transport (2024-11-05 clients) is unavailable.
    /// </summary>
    Stateless,
}
