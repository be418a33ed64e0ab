using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Mnemo.Bench.Latency;

/// <summary>
/// A minimal Streamable HTTP MCP client: JSON-RPC over POST, one stateful session, nothing else. The benchmark client
/// shares the server's two cores, so the official SDK client's own work (~1–4 ms per call, measured as the gap between
/// its timings and the server's request-duration histogram) lands in the server's numbers; this client costs a tenth
/// of that, so its timings are closer to what a remote assistant sees of the server. Both are reported.
/// </summary>
internal sealed class RawMcpClient : IDisposable
{
    private const string ProtocolVersion = "2025-06-18";
    private readonly HttpClient _http;
    private string? _session;
    private int _nextId;

    private RawMcpClient(Uri endpoint, string key, string? host)
    {
        _http = new HttpClient { BaseAddress = endpoint };
        if (host is not null)
        {
            _http.DefaultRequestHeaders.Host = host;
        }

        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        _http.DefaultRequestHeaders.Accept.ParseAdd("application/json");
        _http.DefaultRequestHeaders.Accept.ParseAdd("text/event-stream");
    }

    /// <param name="host">The Host header to send (the public origin's, when <paramref name="endpoint"/> is one instance behind a proxy).</param>
    public static async Task<RawMcpClient> ConnectAsync(Uri endpoint, string key, string? host = null)
    {
        var client = new RawMcpClient(endpoint, key, host);
        await client.SendAsync("initialize", new JsonObject
        {
            ["protocolVersion"] = ProtocolVersion,
            ["capabilities"] = new JsonObject(),
            ["clientInfo"] = new JsonObject { ["name"] = "mnemo-bench-raw", ["version"] = "1.0" },
        });
        using var initialized = await client.PostAsync(new JsonObject { ["jsonrpc"] = "2.0", ["method"] = "notifications/initialized" });
        initialized.EnsureSuccessStatusCode();
        return client;
    }

    /// <summary>Calls a tool and fails unless the result is a success.</summary>
    public async Task CallToolAsync(string name, JsonObject arguments)
    {
        var result = await SendAsync("tools/call", new JsonObject { ["name"] = name, ["arguments"] = arguments });
        if (result["isError"]?.GetValue<bool>() == true)
        {
            throw new InvalidOperationException($"{name} failed: {result.ToJsonString()}");
        }
    }

    public void Dispose() => _http.Dispose();

    private async Task<JsonNode> SendAsync(string method, JsonObject parameters)
    {
        var id = ++_nextId;
        using var response = await PostAsync(new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id, ["method"] = method, ["params"] = parameters });
        response.EnsureSuccessStatusCode();
        if (response.Headers.TryGetValues("Mcp-Session-Id", out var sessions))
        {
            _session ??= sessions.First();
        }

        var body = await response.Content.ReadAsStringAsync();
        // The answer comes as JSON or as one server-sent event ("data: {…}") on a stream that ends after it.
        var json = response.Content.Headers.ContentType?.MediaType == "text/event-stream"
            ? string.Concat(body.Split('\n').Where(l => l.StartsWith("data:", StringComparison.Ordinal)).Select(l => l[5..]))
            : body;
        var message = JsonNode.Parse(json) ?? throw new InvalidOperationException("empty JSON-RPC response");
        return message["result"] ?? throw new InvalidOperationException($"{method}: {json}");
    }

    private Task<HttpResponseMessage> PostAsync(JsonObject message)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "")
        {
            Content = new StringContent(message.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        if (_session is not null)
        {
            request.Headers.Add("Mcp-Session-Id", _session);
            request.Headers.Add("MCP-Protocol-Version", ProtocolVersion);
        }

        return _http.SendAsync(request);
    }
}
