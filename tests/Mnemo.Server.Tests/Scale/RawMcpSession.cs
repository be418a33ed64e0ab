using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Mnemo.Server.Tests.Scale;

/// <summary>
/// A plain Streamable HTTP MCP client over one <see cref="HttpClient"/> (to one instance, or to the balancer):
/// <c>initialize</c>, <c>notifications/initialized</c>, then <c>tools/call</c>s, carrying the <c>Mcp-Session-Id</c> when
/// the server handed one out (Hybrid and Stateful modes) and none when it did not (Stateless). Notes which upstream
/// answered each request when a balancer says so.
/// </summary>
public sealed class RawMcpSession
{
    private const string ProtocolVersion = "2025-06-18";
    private readonly HttpClient _http;
    private readonly string _bearer;
    private int _nextId = 1;

    private RawMcpSession(HttpClient http, string bearer)
    {
        _http = http;
        _bearer = bearer;
    }

    public string? SessionId { get; private set; }

    /// <summary>The <c>X-Upstream</c> of every answer so far (empty when no balancer was in between).</summary>
    public List<string> Upstreams { get; } = [];

    public static async Task<RawMcpSession> StartAsync(HttpClient http, string bearer)
    {
        var session = new RawMcpSession(http, bearer);
        using var initialize = await session.PostAsync(Request("initialize", new JsonObject
        {
            ["protocolVersion"] = ProtocolVersion,
            ["capabilities"] = new JsonObject(),
            ["clientInfo"] = new JsonObject { ["name"] = "mnemo-scale-tests", ["version"] = "1.0" },
        }, session._nextId++));
        await EnsureOkAsync(initialize, "initialize");
        if (initialize.Headers.TryGetValues("Mcp-Session-Id", out var ids))
        {
            session.SessionId = ids.Single();
        }

        _ = await ResultAsync(initialize, "initialize");
        using var initialized = await session.PostAsync(new JsonObject { ["jsonrpc"] = "2.0", ["method"] = "notifications/initialized" });
        await EnsureOkAsync(initialized, "notifications/initialized");
        return session;
    }

    /// <summary>Calls a tool; returns its <c>structuredContent</c>; fails the test on an HTTP error, a JSON-RPC error or <c>isError</c>.</summary>
    public async Task<JsonNode> CallToolAsync(string tool, JsonObject arguments)
    {
        using var response = await PostAsync(Request("tools/call", new JsonObject { ["name"] = tool, ["arguments"] = arguments }, _nextId++));
        await EnsureOkAsync(response, tool);
        var result = await ResultAsync(response, tool);
        if (result["isError"]?.GetValue<bool>() == true)
        {
            throw new InvalidOperationException($"{tool} returned isError: {result.ToJsonString()}");
        }

        return result["structuredContent"] ?? throw new InvalidOperationException($"{tool} returned no structuredContent: {result.ToJsonString()}");
    }

    /// <summary>The texts of <c>search_memory</c>'s results, best first.</summary>
    public async Task<IReadOnlyList<string>> SearchAsync(string query, int limit = 10)
    {
        var found = await CallToolAsync("search_memory", new JsonObject { ["query"] = query, ["limit"] = limit });
        return [.. found["results"]!.AsArray().Select(r => r!["text"]!.GetValue<string>())];
    }

    /// <summary>Saves <paramref name="memories"/> in one <c>add_memories</c> call; returns their ids.</summary>
    public async Task<IReadOnlyList<string>> AddAsync(params string[] memories)
    {
        var added = await CallToolAsync("add_memories", new JsonObject { ["memories"] = new JsonArray([.. memories.Select(m => JsonValue.Create(m))]) });
        var ids = added["results"]!.AsArray().Select(r => r!["id"]!.GetValue<string>()).ToList();
        Assert.Equal(memories.Length, ids.Count);
        return ids;
    }

    /// <summary>The HTTP status of an <c>initialize</c> with <paramref name="bearer"/> (200 when the credential is accepted, 401 when not).</summary>
    public static async Task<HttpStatusCode> CredentialStatusAsync(HttpClient http, string bearer) => (await ProbeAsync(http, bearer)).Status;

    /// <summary>One <c>initialize</c> with <paramref name="bearer"/>: its status and the upstream that answered it.</summary>
    public static async Task<(HttpStatusCode Status, string? Upstream)> ProbeAsync(HttpClient http, string bearer)
    {
        var probe = new RawMcpSession(http, bearer);
        using var response = await probe.PostAsync(Request("initialize", new JsonObject
        {
            ["protocolVersion"] = ProtocolVersion,
            ["capabilities"] = new JsonObject(),
            ["clientInfo"] = new JsonObject { ["name"] = "mnemo-scale-probe", ["version"] = "1.0" },
        }, 1));
        return (response.StatusCode, probe.Upstreams.FirstOrDefault());
    }

    private static JsonObject Request(string method, JsonObject parameters, int id) =>
        new() { ["jsonrpc"] = "2.0", ["id"] = id, ["method"] = method, ["params"] = parameters };

    private async Task<HttpResponseMessage> PostAsync(JsonObject message)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/mcp")
        {
            Content = new StringContent(message.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _bearer);
        if (SessionId is not null)
        {
            request.Headers.Add("Mcp-Session-Id", SessionId);
        }

        if (message["method"]?.GetValue<string>() != "initialize")
        {
            request.Headers.Add("MCP-Protocol-Version", ProtocolVersion);
        }

        var response = await _http.SendAsync(request);
        if (response.Headers.TryGetValues(NginxBalancer.UpstreamHeader, out var upstream))
        {
            Upstreams.Add(upstream.First());
        }

        return response;
    }

    private static async Task EnsureOkAsync(HttpResponseMessage response, string what)
    {
        if (!response.IsSuccessStatusCode)
        {
            var upstream = response.Headers.TryGetValues(NginxBalancer.UpstreamHeader, out var u) ? $" from {u.First()}" : "";
            throw new HttpRequestException(
                $"{what} answered {(int)response.StatusCode}{upstream}: {await response.Content.ReadAsStringAsync()}", null, response.StatusCode);
        }
    }

    private static async Task<JsonNode> ResultAsync(HttpResponseMessage response, string what)
    {
        var body = await response.Content.ReadAsStringAsync();
        // JSON, or one server-sent event ("data: {…}") on a stream that ends after it.
        var json = response.Content.Headers.ContentType?.MediaType == "text/event-stream"
            ? string.Concat(body.Split('\n').Where(l => l.StartsWith("data:", StringComparison.Ordinal)).Select(l => l[5..]))
            : body;
        var message = JsonNode.Parse(json) ?? throw new InvalidOperationException($"{what}: empty answer");
        return message["result"] ?? throw new InvalidOperationException($"{what}: {json}");
    }
}
