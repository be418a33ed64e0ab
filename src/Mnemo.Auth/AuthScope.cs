namespace Mnemo.Auth;

/// <summary>
/// A scope the protected MCP server knows, with the words the consent page uses for it ("search and read your
/// memories"). The host names them; the module hard-codes none.
/// </summary>
public sealed record AuthScope(string Name, string Description);
