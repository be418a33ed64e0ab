namespace Mnemo.Server.Hosting;

/// <summary>Every error on an MCP or OAuth route is JSON (OAUTH.md), in the OAuth error shape clients already parse.</summary>
public static class JsonErrors
{
    public static Task WriteAsync(HttpContext context, int statusCode, string error, string description)
    {
        context.Response.StatusCode = statusCode;
        context.Response.Headers.CacheControl = "no-store";
        return context.Response.WriteAsJsonAsync(new ErrorBody(error, description));
    }

    /// <summary>The wire shape of an error: <c>{"error": "...", "error_description": "..."}</c>.</summary>
    public sealed record ErrorBody(
        [property: System.Text.Json.Serialization.JsonPropertyName("error")] string Error,
        [property: System.Text.Json.Serialization.JsonPropertyName("error_description")] string ErrorDescription);
}
