using System.ComponentModel;
using ModelContextProtocol.Server;

namespace Mnemo.Bench.EchoCSharp;

/// <summary>The one tool: no work at all, so a call costs only the SDK, the transport and authentication.</summary>
[McpServerToolType]
public sealed class EchoTool
{
    [McpServerTool(Name = "echo"), Description("Returns the message unchanged.")]
    public static string Echo([Description("Any text.")] string message) => message;
}
