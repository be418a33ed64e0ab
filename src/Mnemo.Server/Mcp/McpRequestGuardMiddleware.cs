using System.Text.Json;
using Microsoft.Net.Http.Headers;
using Mnemo.Auth.OAuth.Resource;

namespace Mnemo.Server.Mcp;

/// <summary>
/// Refuses malformed POSTs to the MCP endpoint before the SDK sees them: a body that is not declared JSON gets 415, one
/// that is not JSON or not a JSON-RPC message gets 400 with a JSON-RPC error. The SDK answers such bodies with an
/// exception (a 500) and may have opened a session by then; here nothing runs and nothing is written. Runs after
/// authorization, so an anonymous prober learns nothing about the endpoint but 401.
/// </summary>
internal sealed class McpRequestGuardMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (!HttpMethods.IsPost(context.Request.Method))
        {
            await next(context);
            return;
        }

        if (!IsJson(context.Request.ContentType))
        {
            await WriteAsync(context, StatusCodes.Status415UnsupportedMediaType,
                new JsonRpcEnvelope.Problem(JsonRpcEnvelope.InvalidRequest, "POST /mcp needs 'Content-Type: application/json' and a JSON-RPC message.", null));
            return;
        }

        // Already in memory when the scope check read it (McpRequestBody reads a body once per request).
        if (await McpRequestBody.ReadAsync(context) is not { } body)
        {
            await McpRequestBody.WriteTooLargeAsync(context);
            return;
        }

        JsonRpcEnvelope.Problem? problem;
        try
        {
            using var document = JsonDocument.Parse(body);
            problem = JsonRpcEnvelope.Check(document.RootElement);
        }
        catch (JsonException)
        {
            problem = new JsonRpcEnvelope.Problem(JsonRpcEnvelope.ParseError, "The body is not valid JSON.", null);
        }

        if (problem is not null)
        {
            await WriteAsync(context, StatusCodes.Status400BadRequest, problem);
            return;
        }

        await next(context);
    }

    private static bool IsJson(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var media)
        && (media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) || media.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase))
        && (media.Charset.Length == 0 || media.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase));

    private static async Task WriteAsync(HttpContext context, int status, JsonRpcEnvelope.Problem problem)
    {
        context.Response.StatusCode = status;
        context.Response.Headers.CacheControl = "no-store";
        context.Response.ContentType = "application/json";
        var body = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(body))
        {
            writer.WriteStartObject();
            writer.WriteString("jsonrpc", "2.0");
            writer.WritePropertyName("id");
            if (problem.Id is { } id)
            {
                id.WriteTo(writer);
            }
            else
            {
                writer.WriteNullValue();
            }

            writer.WriteStartObject("error");
            writer.WriteNumber("code", problem.Code);
            writer.WriteString("message", problem.Message);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        await context.Response.Body.WriteAsync(body.WrittenMemory, context.RequestAborted);
    }
}
