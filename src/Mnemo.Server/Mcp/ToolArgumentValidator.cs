using System.Text.Json;

namespace Mnemo.Server.Mcp;

/// <summary>
/// Checks tool arguments against the tool's own input schema (presence and JSON types) before the SDK binds
/// them, so a wrong type gets a message naming the argument instead of the SDK's generic
/// "An error occurred invoking …". Deeper rules (lengths, ranges, dates) stay in the memory module.
/// </summary>
internal static class ToolArgumentValidator
{
    /// <summary>Returns a message for the assistant, or null when the arguments fit the schema's types.</summary>
    public static string? Validate(JsonElement schema, IDictionary<string, JsonElement>? arguments)
    {
        arguments ??= new Dictionary<string, JsonElement>();
        if (schema.ValueKind != JsonValueKind.Object || !schema.TryGetProperty("properties", out var properties))
        {
            return null;
        }

        if (schema.TryGetProperty("required", out var required) && required.ValueKind == JsonValueKind.Array)
        {
            foreach (var name in required.EnumerateArray().Select(r => r.GetString()).OfType<string>())
            {
                if (!arguments.TryGetValue(name, out var value) || value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
                {
                    return $"Missing required argument '{name}'.";
                }
            }
        }

        foreach (var (name, value) in arguments)
        {
            if (!properties.TryGetProperty(name, out var property))
            {
                continue;
            }

            if (Mismatch(property, value) is { } expected)
            {
                return $"Argument '{name}' must be {expected}, but got {Describe(value)}.";
            }
        }

        return null;
    }

    private static string? Mismatch(JsonElement property, JsonElement value)
    {
        var types = TypesOf(property);
        if (types.Count == 0 || types.Any(t => Fits(t, value)))
        {
            if (value.ValueKind == JsonValueKind.Array && property.TryGetProperty("items", out var items))
            {
                var index = 0;
                foreach (var item in value.EnumerateArray())
                {
                    if (Mismatch(items, item) is { } itemExpected)
                    {
                        return $"an array whose items are {itemExpected} (item {index} is {Describe(item)})";
                    }

                    index++;
                }
            }

            return null;
        }

        return string.Join(" or ", types.Where(t => t != "null").Select(Article));
    }

    private static List<string> TypesOf(JsonElement property)
    {
        if (!property.TryGetProperty("type", out var type))
        {
            return [];
        }

        return type.ValueKind == JsonValueKind.Array
            ? [.. type.EnumerateArray().Select(t => t.GetString()).OfType<string>()]
            : type.GetString() is { } single ? [single] : [];
    }

    private static bool Fits(string type, JsonElement value) => type switch
    {
        "string" => value.ValueKind == JsonValueKind.String,
        "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _),
        "number" => value.ValueKind == JsonValueKind.Number,
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "array" => value.ValueKind == JsonValueKind.Array,
        "object" => value.ValueKind == JsonValueKind.Object,
        "null" => value.ValueKind == JsonValueKind.Null,
        _ => true,
    };

    private static string Article(string type) => type switch
    {
        "integer" => "an integer",
        "array" => "an array",
        "object" => "an object",
        _ => $"a {type}",
    };

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number => value.TryGetInt64(out _) ? "an integer" : "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => "null",
    };
}
