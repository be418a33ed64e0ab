using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;

namespace Mnemo.Auth;

/// <summary>
/// The one JSON error body of the module and of hosts that use it: <c>{"error": "...", "error_description": "..."}</c>,
/// the OAuth shape (RFC 6749 §5.2) every MCP client already parses, on OAuth and MCP routes alike.
/// </summary>
public static class JsonError
{
    /// <summary>Writes the status and the error body, never cached (errors may name the caller's state).</summary>
    public static Task WriteAsync(HttpContext context, int statusCode, string error, string description)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.StatusCode = statusCode;
        context.Response.Headers.CacheControl = "no-store";
        return context.Response.WriteAsJsonAsync(new OAuthErrorBody(error, description), AuthJsonContext.Default.OAuthErrorBody);
    }
}

/// <summary>The wire shape of <see cref="JsonError"/>.</summary>
public sealed record OAuthErrorBody(
    [property: JsonPropertyName("error")] string Error,
    [property: JsonPropertyName("error_description")] string ErrorDescription);

[JsonSerializable(typeof(OAuthErrorBody))]
internal sealed partial class AuthJsonContext : JsonSerializerContext;
