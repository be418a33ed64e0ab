using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Mnemo.Bench.Floor;

/// <summary>One JSON-RPC POST, sent with exactly the headers wrk will send, and its answer read as JSON or as one SSE event.</summary>
internal static class McpPost
{
    private static readonly HttpClient Http = new();

    public sealed record Answer(HttpStatusCode Status, string Text, JsonNode? Message)
    {
        /// <summary>The JSON-RPC result, when the call succeeded as a tool call (HTTP 200, a result, no <c>isError</c>).</summary>
        public JsonNode? Result => Status == HttpStatusCode.OK && Message?["result"] is JsonObject result
            && result["isError"]?.GetValueKind() is not JsonValueKind.True ? result : null;

        public override string ToString() => $"HTTP {(int)Status}: {(Text.Length > 400 ? Text[..400] + " …" : Text)}";
    }

    public static async Task<Answer> SendAsync(Uri url, string body, IReadOnlyDictionary<string, string> headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8) };
        foreach (var (name, value) in headers)
        {
            if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                request.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(value);
            }
            else
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }

        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var json = response.Content.Headers.ContentType?.MediaType == "text/event-stream"
            ? string.Concat(text.Split('\n').Where(l => l.StartsWith("data:", StringComparison.Ordinal)).Select(l => l[5..]))
            : text;
        JsonNode? message;
        try
        {
            message = json.Length > 0 ? JsonNode.Parse(json) : null;
        }
        catch (JsonException)
        {
            message = null;
        }

        return new Answer(response.StatusCode, text, message);
    }
}
