using System.Text.Encodings.Web;
using System.Text.Json;
using Mnemo.Memory.Memories;
using ModelContextProtocol.Protocol;

namespace Mnemo.Server.Mcp;

/// <summary>Builds tool results: human-readable text for the model plus mirrored structured content.</summary>
internal static class ToolResults
{
    /// <summary>
    /// Memories are the user's own words: apostrophes, quotes and non-ASCII text must reach the model as
    /// written, not as \u0027 escapes. The output is JSON inside a JSON-RPC message, never HTML, so the
    /// relaxed encoder's lack of HTML escaping is harmless here.
    /// </summary>
    public static readonly JsonSerializerOptions Json = CreateJsonOptions();

    private static JsonSerializerOptions CreateJsonOptions()
    {
        // Read-only with a resolver, so the SDK can share it across server instances without mutating it.
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver(),
        };
        options.MakeReadOnly();
        return options;
    }

    public static CallToolResult Success<T>(string text, T structured) => new()
    {
        Content = [new TextContentBlock { Text = text }],
        StructuredContent = JsonSerializer.SerializeToElement(structured, Json),
    };

    /// <summary>Content is the JSON itself, for clients (ChatGPT connectors) that read the text block as JSON.</summary>
    public static CallToolResult JsonText<T>(T structured) => new()
    {
        Content = [new TextContentBlock { Text = JsonSerializer.Serialize(structured, Json) }],
        StructuredContent = JsonSerializer.SerializeToElement(structured, Json),
    };

    /// <summary>An error the assistant can fix: exact message, no SDK prefix (STYLE.md rule 13).</summary>
    public static CallToolResult Error(string message) => new()
    {
        IsError = true,
        Content = [new TextContentBlock { Text = message }],
    };

    /// <summary>Runs a tool body, turning input the assistant got wrong into an <c>isError</c> result.</summary>
    public static async Task<CallToolResult> Guard(Func<Task<CallToolResult>> body)
    {
        try
        {
            return await body();
        }
        catch (MemoryValidationException e)
        {
            return Error(e.Message);
        }
    }
}
