using System.Net;
using System.Text;
using Mnemo.Server.Tests.Infrastructure;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Mnemo.Server.Tests.Hosting;

/// <summary>
/// <c>Mnemo:Mcp:SessionMode</c>: Hybrid (the default) keeps sessions for clients that start with <c>initialize</c> and
/// serves MCP 2026-07-28 clients, which have no sessions, per request; Stateless never creates a session, so any
/// instance behind a load balancer can answer any request; the older <c>Mnemo:Mcp:Stateless=true</c> still means Stateless.
/// </summary>
public sealed class McpSessionModeTests
{
    private const string SessionHeader = "Mcp-Session-Id";
    private const string July2026 = "2026-07-28";

    [Fact]
    public async Task Hybrid_IsTheDefault_AndGivesAnInitializeClientASessionId()
    {
        await using var server = await MnemoTestServer.StartAsync();
        var key = await server.CreateUserWithKeyAsync("alice");
        using var http = server.CreateHttpClient(key);

        using var response = await http.SendAsync(InitializeRequest());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.TryGetValues(SessionHeader, out var ids));
        Assert.False(string.IsNullOrWhiteSpace(Assert.Single(ids)));
    }

    [Fact]
    public async Task Hybrid_IsTheDefault_AndServesA20260728ClientWithoutASession()
    {
        await using var server = await MnemoTestServer.StartAsync();
        var key = await server.CreateUserWithKeyAsync("alice");
        var traffic = new RecordingHandler();

        await using (var client = await ConnectAsync(server, key, July2026, traffic))
        {
            Assert.Equal(July2026, client.NegotiatedProtocolVersion);
            Assert.Contains(await client.ListToolsAsync(), t => t.Name == "add_memories");
            (await client.CallAsync("add_memories", new { memories = new[] { "Prefers tea to coffee." } })).EnsureOk();
            var found = (await client.CallAsync("search_memory", new { query = "tea" })).EnsureOk();
            Assert.Contains("Prefers tea to coffee.", found.Text());
        }

        Assert.NotEmpty(traffic.Exchanges);
        Assert.DoesNotContain(traffic.Exchanges, e => e.Body.Contains("\"initialize\"", StringComparison.Ordinal));
        Assert.All(traffic.Exchanges, e => Assert.Equal(July2026, e.ProtocolVersionHeader));
        Assert.All(traffic.Exchanges, e => Assert.Null(e.RequestSessionId));
        Assert.All(traffic.Exchanges, e => Assert.Null(e.ResponseSessionId));
    }

    [Fact]
    public async Task Hybrid_AnswersARaw20260728Request_WithNoInitializeBeforeIt_AndNoSessionId()
    {
        await using var server = await MnemoTestServer.StartAsync();
        var key = await server.CreateUserWithKeyAsync("alice");
        using var http = server.CreateHttpClient(key);

        using var response = await http.SendAsync(July2026Request("tools/list"));

        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"add_memories\"", body);
        Assert.False(response.Headers.Contains(SessionHeader));
    }

    [Fact]
    public async Task Stateful_RefusesA20260728Request_SoTheClientFallsBackToInitialize()
    {
        // The contrast that shows the requests above really take the 2026-07-28 path: with sessions for everyone, the
        // SDK turns such a request away with UnsupportedProtocolVersion (-32022).
        await using var server = await MnemoTestServer.StartAsync(new Dictionary<string, string?> { ["Mnemo:Mcp:SessionMode"] = "Stateful" });
        var key = await server.CreateUserWithKeyAsync("alice");
        using var http = server.CreateHttpClient(key);

        using var response = await http.SendAsync(July2026Request("tools/list"));

        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("-32022", body);
        Assert.DoesNotContain("\"add_memories\"", body);
    }

    [Fact]
    public async Task Stateless_NeverReturnsASessionId_ToAnInitializeClientOrA20260728Client()
    {
        await using var server = await MnemoTestServer.StartAsync(new Dictionary<string, string?> { ["Mnemo:Mcp:SessionMode"] = "Stateless" });
        var key = await server.CreateUserWithKeyAsync("alice");
        using var http = server.CreateHttpClient(key);

        using (var initialize = await http.SendAsync(InitializeRequest()))
        {
            Assert.Equal(HttpStatusCode.OK, initialize.StatusCode);
            Assert.False(initialize.Headers.Contains(SessionHeader));
        }

        // An initialize-handshake client through the SDK: every exchange of its whole conversation, not only the first.
        var legacy = new RecordingHandler();
        await using (var client = await ConnectAsync(server, key, "2025-06-18", legacy))
        {
            (await client.CallAsync("add_memories", new { memories = new[] { "Walks to work." } })).EnsureOk();
        }

        var modern = new RecordingHandler();
        await using (var client = await ConnectAsync(server, key, July2026, modern))
        {
            (await client.CallAsync("search_memory", new { query = "walks" })).EnsureOk();
        }

        Assert.Contains(legacy.Exchanges, e => e.Body.Contains("\"initialize\"", StringComparison.Ordinal));
        Assert.All(legacy.Exchanges.Concat(modern.Exchanges), e => Assert.Null(e.ResponseSessionId));
    }

    [Fact]
    public async Task OlderStatelessFlag_StillMeansStateless()
    {
        await using var server = await MnemoTestServer.StartAsync(new Dictionary<string, string?> { ["Mnemo:Mcp:Stateless"] = "true" });
        var key = await server.CreateUserWithKeyAsync("alice");
        using var http = server.CreateHttpClient(key);

        using var initialize = await http.SendAsync(InitializeRequest());

        Assert.Equal(HttpStatusCode.OK, initialize.StatusCode);
        Assert.False(initialize.Headers.Contains(SessionHeader));
    }

    private static HttpRequestMessage InitializeRequest()
    {
        const string initialize = """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}""";
        var request = new HttpRequestMessage(HttpMethod.Post, "/mcp") { Content = new StringContent(initialize, Encoding.UTF8, "application/json") };
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");
        return request;
    }

    /// <summary>
    /// A request of MCP 2026-07-28 as the SDK 2.4.0 client sends one: no initialize before it, the version in the
    /// MCP-Protocol-Version header and again, with the client's capabilities, in the request's <c>_meta</c>.
    /// </summary>
    private static HttpRequestMessage July2026Request(string method)
    {
        var json = System.Text.Json.JsonSerializer.Serialize(new
        {
            jsonrpc = "2.0",
            id = 1,
            method,
            @params = new Dictionary<string, object>
            {
                ["_meta"] = new Dictionary<string, object>
                {
                    ["io.modelcontextprotocol/protocolVersion"] = July2026,
                    ["io.modelcontextprotocol/clientInfo"] = new { name = "raw", version = "1" },
                    ["io.modelcontextprotocol/clientCapabilities"] = new { },
                },
            },
        });
        var request = new HttpRequestMessage(HttpMethod.Post, "/mcp") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");
        request.Headers.Add("MCP-Protocol-Version", July2026);
        request.Headers.Add("Mcp-Method", method);
        return request;
    }

    /// <summary>The SDK's own client pinned to <paramref name="protocolVersion"/> (pinned 2026-07-28 it never falls back to initialize).</summary>
    private static async Task<McpClient> ConnectAsync(MnemoTestServer server, string key, string protocolVersion, RecordingHandler traffic)
    {
        traffic.InnerHandler = new HttpClientHandler();
        var transport = new HttpClientTransport(
            new HttpClientTransportOptions
            {
                Endpoint = server.McpUrl,
                TransportMode = HttpTransportMode.StreamableHttp,
                AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = $"Bearer {key}" },
            },
            new HttpClient(traffic),
            loggerFactory: null,
            ownsHttpClient: true);
        return await McpClient.CreateAsync(transport, new McpClientOptions
        {
            ClientInfo = new Implementation { Name = "session-mode-tests", Version = "1.0" },
            ProtocolVersion = protocolVersion,
        });
    }

    private sealed record Exchange(string Method, string Body, string? ProtocolVersionHeader, string? RequestSessionId, string? ResponseSessionId);

    /// <summary>Every HTTP exchange of an SDK client, with the headers that carry the protocol version and the session.</summary>
    private sealed class RecordingHandler : DelegatingHandler
    {
        private readonly List<Exchange> _exchanges = [];

        public IReadOnlyList<Exchange> Exchanges
        {
            get
            {
                lock (_exchanges)
                {
                    return [.. _exchanges];
                }
            }
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
            var response = await base.SendAsync(request, cancellationToken);
            var exchange = new Exchange(
                request.Method.Method,
                body,
                Header(request.Headers, "MCP-Protocol-Version"),
                Header(request.Headers, SessionHeader),
                Header(response.Headers, SessionHeader));
            lock (_exchanges)
            {
                _exchanges.Add(exchange);
            }

            return response;
        }

        private static string? Header(System.Net.Http.Headers.HttpHeaders headers, string name) =>
            headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;
    }
}
