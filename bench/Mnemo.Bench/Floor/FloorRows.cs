using System.Globalization;
using System.Text.Json.Nodes;
using Mnemo.Bench.Latency;

namespace Mnemo.Bench.Floor;

/// <summary>The rows of the floor table and what each one's answer must contain.</summary>
internal static class FloorRows
{
    public const string CSharpEcho = "C# SDK echo + JwtBearer";
    public const string TypeScriptEcho = "TypeScript SDK echo";
    private const string EchoMessage = "hello from the floor bench";

    public static FloorRow Echo(string name, Uri url, string? bearer) =>
        new(name, url, [CallShape.Classic.Body(1, "echo", new JsonObject { ["message"] = EchoMessage })], CallShape.Classic.Headers(bearer, "echo"),
            result => result["content"]?[0]?["text"]?.GetValue<string>() == EchoMessage ? null : $"echo returned {result.ToJsonString()}");

    public static string ListName(string credential, string mode) => $"Mnemo list_memories (limit 1), {credential} [{mode}]";

    public static string SearchName(string credential, string mode, int memories) =>
        $"Mnemo search_memory @{(memories % 1000 == 0 ? $"{memories / 1000}k" : memories.ToString(CultureInfo.InvariantCulture))}, {credential} [{mode}]";

    /// <summary>The MCP floor: authentication, tool dispatch and one small read. The answer must hold a memory.</summary>
    public static FloorRow List(string name, Uri url, string bearer, CallShape shape) =>
        new(name, url, [shape.Body(1, "list_memories", new JsonObject { ["limit"] = 1 })], shape.Headers(bearer, "list_memories"),
            result => result["structuredContent"]?["memories"] is JsonArray { Count: 1 } ? null : $"expected one memory, got {Shorten(result)}");

    /// <summary>Varied questions (64, rotated by wrk) over the user's memories; each answer must find some.</summary>
    public static FloorRow Search(string name, Uri url, string bearer, CallShape shape)
    {
        var queries = new SyntheticMemories(seed: 1234);
        return new(name, url,
            [.. Enumerable.Range(0, 64).Select(i => shape.Body(i + 1, "search_memory", new JsonObject { ["query"] = queries.Query(), ["limit"] = 10 }))],
            shape.Headers(bearer, "search_memory"),
            result => result["structuredContent"]?["results"] is JsonArray { Count: > 0 } ? null : $"expected results, got {Shorten(result)}");
    }

    private static string Shorten(JsonNode node)
    {
        var text = node.ToJsonString();
        return text.Length > 300 ? text[..300] + " …" : text;
    }
}
