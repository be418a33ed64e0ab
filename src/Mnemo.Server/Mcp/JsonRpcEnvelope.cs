using System.Text.Json;

namespace Mnemo.Server.Mcp;

/// <summary>
/// The shape every JSON-RPC 2.0 message posted to <c>/mcp</c> must have before the SDK sees it (JSON-RPC 2.0 §4–5,
/// MCP base protocol). The SDK assumes this shape and fails with an exception (a 500) when it is missing, so it is
/// checked here, in one linear pass over an already-parsed document, and refused with a JSON-RPC error.
/// </summary>
internal static class JsonRpcEnvelope
{
    public const int ParseError = -32700;
    public const int InvalidRequest = -32600;
    public const int InvalidParams = -32602;

    /// <summary>Returns why the body is not a JSON-RPC message (or batch of them), or null when it is one.</summary>
    public static Problem? Check(JsonElement root)
    {
        if (root.ValueKind == JsonValueKind.Array)
        {
            if (root.GetArrayLength() == 0)
            {
                return new Problem(InvalidRequest, "An empty batch is not a JSON-RPC request.", null);
            }

            foreach (var message in root.EnumerateArray())
            {
                if (CheckMessage(message) is { } problem)
                {
                    return problem;
                }
            }

            return null;
        }

        return CheckMessage(root);
    }

    private static Problem? CheckMessage(JsonElement message)
    {
        if (message.ValueKind != JsonValueKind.Object)
        {
            return new Problem(InvalidRequest, "A JSON-RPC message must be a JSON object.", null);
        }

        // Cloned: the answer is written after the parsed document is disposed.
        var id = message.TryGetProperty("id", out var idElement) ? idElement.Clone() : (JsonElement?)null;
        var validId = id is null || id.Value.ValueKind == JsonValueKind.String || (id.Value.ValueKind == JsonValueKind.Number && id.Value.TryGetInt64(out _));
        var echoId = validId ? id : null;
        if (!message.TryGetProperty("jsonrpc", out var version) || version.ValueKind != JsonValueKind.String || version.GetString() != "2.0")
        {
            return new Problem(InvalidRequest, "\"jsonrpc\" must be \"2.0\".", echoId);
        }

        if (!validId)
        {
            return new Problem(InvalidRequest, "\"id\" must be a string or an integer.", null);
        }

        if (message.TryGetProperty("method", out var method))
        {
            if (method.ValueKind != JsonValueKind.String || method.GetString() is not { Length: > 0 })
            {
                return new Problem(InvalidRequest, "\"method\" must be a non-empty string.", echoId);
            }

            if (message.TryGetProperty("params", out var parameters) && parameters.ValueKind != JsonValueKind.Object)
            {
                return new Problem(InvalidParams, "\"params\" must be a JSON object.", echoId);
            }

            return method.GetString() == "initialize" ? CheckInitialize(message, echoId) : null;
        }

        // A response (to a server-to-client request): an id and exactly one of result or a well-formed error.
        var hasResult = message.TryGetProperty("result", out _);
        var hasError = message.TryGetProperty("error", out var error);
        if (id is null || hasResult == hasError)
        {
            return new Problem(InvalidRequest, "A message needs a \"method\", or an \"id\" with exactly one of \"result\" and \"error\".", echoId);
        }

        if (hasError && (error.ValueKind != JsonValueKind.Object
            || !error.TryGetProperty("code", out var code) || code.ValueKind != JsonValueKind.Number || !code.TryGetInt32(out _)
            || !error.TryGetProperty("message", out var text) || text.ValueKind != JsonValueKind.String))
        {
            return new Problem(InvalidRequest, "\"error\" must be an object with an integer \"code\" and a string \"message\".", echoId);
        }

        return null;
    }

    /// <summary><c>initialize</c> opens a session from its params, so their shape is checked before a session exists.</summary>
    private static Problem? CheckInitialize(JsonElement message, JsonElement? id)
    {
        if (id is null)
        {
            return new Problem(InvalidRequest, "initialize is a request and needs an \"id\".", null);
        }

        if (!message.TryGetProperty("params", out var parameters)
            || !parameters.TryGetProperty("protocolVersion", out var protocol) || protocol.ValueKind != JsonValueKind.String
            || !parameters.TryGetProperty("capabilities", out var capabilities) || capabilities.ValueKind != JsonValueKind.Object
            || !parameters.TryGetProperty("clientInfo", out var clientInfo) || clientInfo.ValueKind != JsonValueKind.Object
            || !clientInfo.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String
            || !clientInfo.TryGetProperty("version", out var clientVersion) || clientVersion.ValueKind != JsonValueKind.String)
        {
            return new Problem(InvalidParams,
                "initialize needs params with a string \"protocolVersion\", an object \"capabilities\" and \"clientInfo\" with string \"name\" and \"version\".", id);
        }

        return null;
    }

    /// <summary>A JSON-RPC error code and message, and the id to answer with (null when the message had none usable).</summary>
    public sealed record Problem(int Code, string Message, JsonElement? Id);
}
