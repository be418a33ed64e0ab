using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Mnemo.Server.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Mnemo.Server.Tests.Fuzz;

/// <summary>
/// A bounded, seeded fuzz of every OAuth route and <c>/mcp</c> with malformed requests, the way an attacker's scanner
/// would send them: form values with NUL and broken percent-encoding, odd and missing content types, truncated and
/// wrongly-typed JSON-RPC envelopes, junk headers. Every answer must be a 4xx (never a 5xx, never a dropped
/// connection), with a JSON body on the JSON routes, and nothing may be written.
/// </summary>
public sealed class MalformedRequestFuzzTests(ITestOutputHelper output)
{
    /// <summary>Fixed in CI so a failure reproduces; MNEMO_FUZZ_SEED explores other sequences locally.</summary>
    private static readonly int Seed = int.TryParse(Environment.GetEnvironmentVariable("MNEMO_FUZZ_SEED"), out var seed) ? seed : 20261202;

    private const int Requests = 3_000;

    private static readonly string[] FormRoutes = ["/token", "/revoke", "/introspect"];
    private static readonly string[] FormFields =
    [
        "grant_type", "code", "redirect_uri", "client_id", "client_secret", "code_verifier", "refresh_token", "token",
        "token_type_hint", "resource", "scope", "response_type", "state", "code_challenge", "code_challenge_method", "prompt",
    ];

    private static readonly string[] FieldValues =
    [
        "", "%00", "a%00b", "%", "%zz", "%C3%28", "%FF%FE", "authorization_code", "refresh_token", "client_credentials",
        "password", "urn:ietf:params:oauth:grant-type:device_code", "http://127.0.0.1:1/cb", "javascript:alert(1)",
        "mcp:read mcp:write", "S256", "plain", "none", "login", "%E2%80%AE", "\u202E", "null", "[]", "{}",
    ];

    private static readonly string?[] ContentTypes =
    [
        null, "application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=utf-16",
        "application/x-www-form-urlencoded; charset=bogus", "application/json", "application/json; charset=latin1",
        "text/plain", "multipart/form-data", "multipart/form-data; boundary=x", "application/octet-stream", "*/*", "application/",
        "text/event-stream", "application/json-rpc",
    ];

    private static readonly string[] JsonRpcMethods =
    [
        "initialize", "tools/list", "tools/call", "notifications/initialized", "ping", "resources/list", "prompts/get",
        "logging/setLevel", "completion/complete", "", "x",
    ];

    [Fact]
    public async Task MalformedRequests_OnEveryRoute_GetA4xxAndChangeNothing()
    {
        // Every fuzz request comes from 127.0.0.1; without the exemption most would be answered 429 and test nothing else.
        await using var server = await MnemoTestServer.StartAsync(configuration: new Dictionary<string, string?> { ["Mnemo:Auth:RateLimits:ExemptLoopback"] = "true" });
        var key = await server.CreateUserWithKeyAsync("alice");
        await using var client = await server.ConnectAsync(key);
        await client.CallAsync("add_memories", new { memories = new[] { "Alice drinks her coffee black." } });
        var memoriesBefore = await DatabaseFingerprint.TakeAsync(server.Store);
        var clientsBefore = await CountAsync(server.Store, "OpenIddictApplications");
        var sessionId = await InitializeAsync(server, key);

        var random = new Random(Seed);
        var failures = new List<string>();
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = server.BaseUrl };
        for (var i = 0; i < Requests && failures.Count < 20; i++)
        {
            using var request = NextRequest(random, key, sessionId);
            var description = $"#{i} {request.Method} {request.RequestUri} [{request.Content?.Headers.ContentType}] {Preview(request)}";
            try
            {
                // A GET with a live session legitimately opens a server-sent event stream that stays open: headers only.
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
                if (request.Method == HttpMethod.Get && response.IsSuccessStatusCode && response.Content.Headers.ContentType?.MediaType == "text/event-stream")
                {
                    continue;
                }

                var body = await response.Content.ReadAsStringAsync(timeout.Token);
                if ((int)response.StatusCode >= 500)
                {
                    failures.Add($"{description} -> {(int)response.StatusCode} {Truncate(body)}");
                }
                else if (!IsJsonBodyOk(request, response, body))
                {
                    failures.Add($"{description} -> {(int)response.StatusCode} without a JSON error body: {response.Content.Headers.ContentType} {Truncate(body)}");
                }
            }
            catch (HttpRequestException e)
            {
                failures.Add($"{description} -> connection dropped: {e.Message}");
            }
            catch (OperationCanceledException)
            {
                failures.Add($"{description} -> no answer within 15 s");
            }
        }

        foreach (var failure in failures)
        {
            output.WriteLine(failure);
        }

        Assert.Empty(failures);
        Assert.Equal(memoriesBefore, await DatabaseFingerprint.TakeAsync(server.Store));
        Assert.Equal(clientsBefore, await CountAsync(server.Store, "OpenIddictApplications"));
    }

    private static HttpRequestMessage NextRequest(Random random, string key, string sessionId) => random.Next(11) switch
    {
        0 or 1 or 2 => FormRequest(random),
        3 => RegisterRequest(random),
        4 => AuthorizeRequest(random),
        5 => LoginRequest(random),
        6 => OtherRequest(random),
        _ => McpRequest(random, key, sessionId),
    };

    private static HttpRequestMessage OtherRequest(Random random)
    {
        var path = Pick(random,
        [
            "/.well-known/oauth-authorization-server", "/.well-known/oauth-protected-resource", "/.well-known/oauth-protected-resource/mcp",
            "/.well-known/openid-configuration", "/.well-known/jwks", "/setup", "/health", "/health/ready", "/authorize", "/login",
            "/.well-known/oauth-authorization-server/%00", "/%2e%2e/%2e%2e/etc/passwd", "/mcp/sse", "/mcp/message?sessionId=%00",
            "/register/mnemo-unknown", "/register/%00", "/register/" + new string('x', 3_000), "/account", "/account?handler=SignOut",
        ]);
        var method = Pick(random, [HttpMethod.Get, HttpMethod.Post, HttpMethod.Head, HttpMethod.Options, HttpMethod.Delete]);
        var request = new HttpRequestMessage(method, path);
        if (method == HttpMethod.Post)
        {
            request.Content = Body(random, Pick(random, FieldValues) + "=" + Pick(random, FieldValues), Pick(random, ContentTypes));
        }

        return request;
    }

    private static HttpRequestMessage FormRequest(Random random)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Pick(random, FormRoutes));
        var body = string.Join("&", Enumerable.Range(0, random.Next(0, 8)).Select(_ =>
            $"{Pick(random, FormFields)}={Pick(random, FieldValues)}{(random.Next(4) == 0 ? "%00" : "")}"));
        if (random.Next(6) == 0)
        {
            body += "&" + Pick(random, FormFields) + "=" + new string('a', random.Next(1, 100_000));
        }

        request.Content = Body(random, body, random.Next(3) == 0 ? Pick(random, ContentTypes) : "application/x-www-form-urlencoded");
        if (random.Next(5) == 0)
        {
            request.Headers.TryAddWithoutValidation("Authorization", Pick(random, ["Basic", "Basic %%%", "Basic Og==", "Basic YTpi", "Bearer", "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("a%00:b%zz"))]));
        }

        return request;
    }

    private static HttpRequestMessage RegisterRequest(Random random)
    {
        string[] bodies =
        [
            "", "{", "[]", "null", "\"x\"", "{\"redirect_uris\":null}", "{\"redirect_uris\":\"https://a.example/cb\"}",
            "{\"redirect_uris\":[1,2]}", "{\"redirect_uris\":[\"https://a.example/cb\"],\"grant_types\":\"x\"}",
            "{\"redirect_uris\":[\"javascript:alert(1)\"]}", "{\"redirect_uris\":[\"\\u0000\"]}", "{\"client_name\":{}}",
            "{\"redirect_uris\":[\"https://a.example/cb\"],\"token_endpoint_auth_method\":\"private_key_jwt\"}",
            "{\"redirect_uris\":[\"https://a.example/cb\"],\"response_types\":[\"token\"]}",
            "{\"redirect_uris\":[" + string.Join(",", Enumerable.Repeat("\"https://a.example/cb\"", 5_000)) + "]}",
            "\uFEFF{}", "{\"a\":" + new string('[', 5_000) + new string(']', 5_000) + "}",
        ];
        return new HttpRequestMessage(HttpMethod.Post, "/register") { Content = Body(random, Pick(random, bodies), Pick(random, ContentTypes)) };
    }

    private static HttpRequestMessage AuthorizeRequest(Random random)
    {
        var query = string.Join("&", Enumerable.Range(0, random.Next(0, 9)).Select(_ => $"{Pick(random, FormFields)}={Pick(random, FieldValues)}"));
        if (random.Next(2) == 0)
        {
            return new HttpRequestMessage(HttpMethod.Get, "/authorize?" + query);
        }

        return new HttpRequestMessage(HttpMethod.Post, "/authorize") { Content = Body(random, query, Pick(random, ContentTypes)) };
    }

    private static HttpRequestMessage LoginRequest(Random random)
    {
        var query = random.Next(2) == 0 ? "?ReturnUrl=" + Pick(random, FieldValues) : "";
        if (random.Next(3) == 0)
        {
            return new HttpRequestMessage(HttpMethod.Get, "/login" + query);
        }

        var body = $"UserName={Pick(random, FieldValues)}&Password={Pick(random, FieldValues)}&__mnemo_csrf={Pick(random, FieldValues)}";
        return new HttpRequestMessage(HttpMethod.Post, "/login" + query) { Content = Body(random, body, Pick(random, ContentTypes)) };
    }

    private static HttpRequestMessage McpRequest(Random random, string key, string sessionId)
    {
        var method = random.Next(8) switch { 0 => HttpMethod.Get, 1 => HttpMethod.Delete, 2 => HttpMethod.Put, _ => HttpMethod.Post };
        var request = new HttpRequestMessage(method, "/mcp");
        if (random.Next(8) != 0)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", random.Next(10) == 0 ? key + "x" : key);
        }

        if (random.Next(2) == 0)
        {
            request.Headers.TryAddWithoutValidation("Mcp-Session-Id", random.Next(4) == 0 ? "junk-\t-session" : sessionId);
        }

        if (random.Next(4) == 0)
        {
            request.Headers.TryAddWithoutValidation("MCP-Protocol-Version", Pick(random, ["2025-06-18", "1999-01-01", "", "x"]));
        }

        request.Headers.TryAddWithoutValidation("Accept", Pick(random, ["application/json, text/event-stream", "application/json", "text/event-stream", "*/*", "text/html"]));
        if (method == HttpMethod.Post || method == HttpMethod.Put)
        {
            var contentType = random.Next(3) == 0 ? Pick(random, ContentTypes) : "application/json";
            request.Content = Body(random, JsonRpcBody(random), contentType);
        }

        return request;
    }

    private static string JsonRpcBody(Random random)
    {
        var id = Pick(random, ["1", "\"a\"", "null", "{}", "[]", "1.5", "-1", "true", "99999999999999999999999"]);
        var method = Pick(random, JsonRpcMethods);
        var @params = Pick(random,
        [
            "null", "\"null\"", "1", "[]", "{}", "{\"name\":1}", "{\"name\":\"add_memories\",\"arguments\":\"x\"}",
            "{\"name\":\"add_memories\",\"arguments\":{\"memories\":\"x\"}}", "{\"name\":\"nope\",\"arguments\":{}}",
            "{\"name\":\"search_memory\",\"arguments\":{\"query\":[]}}", "{\"name\":\"list_memories\",\"arguments\":{\"limit\":1e400}}",
            "{\"protocolVersion\":1,\"capabilities\":[],\"clientInfo\":\"x\"}", "{\"uri\":{}}", "{\"level\":\"loud\"}",
            "{\"name\":\"search_memory\",\"arguments\":{\"query\":\"x\",\"tags\":" + TagList(random) + "}}",
        ]);
        string[] shapes =
        [
            $"{{\"jsonrpc\":\"2.0\",\"id\":{id},\"method\":\"{method}\",\"params\":{@params}}}",
            $"{{\"jsonrpc\":\"1.0\",\"id\":{id},\"method\":\"{method}\"}}",
            $"{{\"jsonrpc\":2,\"id\":{id},\"method\":{id}}}",
            $"{{\"id\":{id},\"method\":\"{method}\",\"params\":{@params}}}",
            $"[{{\"jsonrpc\":\"2.0\",\"id\":{id},\"method\":\"{method}\",\"params\":{@params}}}]",
            "[]", "{}", "null", "1", "\"x\"", "", "{", "{\"jsonrpc\":\"2.0\"", "{\"jsonrpc\":\"2.0\",\"result\":{},\"id\":1}",
            "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":\"x\"},\"id\":1}", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"get_memory\",\"arguments\":{\"id\":\"\\u0000\"}}}",
            "\u0000\u0001\u0002", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"," + new string('[', 2_000) + "}",
        ];
        var body = Pick(random, shapes);
        return random.Next(10) == 0 && body.Length > 2 ? body[..random.Next(1, body.Length)] : body;
    }

    private static string TagList(Random random) =>
        "[" + string.Join(",", Enumerable.Range(0, random.Next(0, 3) == 0 ? 30_000 : 5).Select(i => $"\"t{i}\"")) + "]";

    private static ByteArrayContent Body(Random random, string text, string? contentType)
    {
        var bytes = random.Next(12) == 0 ? [.. Encoding.UTF8.GetBytes(text), 0xC3, 0x28, 0xFF] : Encoding.UTF8.GetBytes(text);
        var content = new ByteArrayContent(bytes);
        if (contentType is not null)
        {
            content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        return content;
    }

    /// <summary>The JSON routes answer errors in JSON: OAuth-shaped on OAuth endpoints, JSON-RPC (or a plain JSON error) on /mcp.</summary>
    private static bool IsJsonBodyOk(HttpRequestMessage request, HttpResponseMessage response, string body)
    {
        var path = request.RequestUri!.OriginalString.Split('?')[0];
        var isJsonRoute = path is "/token" or "/revoke" or "/introspect" or "/register" or "/mcp";
        if (!isJsonRoute || (int)response.StatusCode < 400 || response.StatusCode is HttpStatusCode.MethodNotAllowed || body.Length == 0 && path == "/mcp")
        {
            return true;
        }

        try
        {
            using var json = JsonDocument.Parse(body.StartsWith("event:", StringComparison.Ordinal) ? body[(body.IndexOf("data:", StringComparison.Ordinal) + 5)..] : body);
            return json.RootElement.ValueKind == JsonValueKind.Object
                && (json.RootElement.TryGetProperty("error", out _) || json.RootElement.TryGetProperty("title", out _));
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static async Task<string> InitializeAsync(MnemoTestServer server, string key)
    {
        using var http = server.CreateHttpClient(key);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/mcp")
        {
            Content = new StringContent("""{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"fuzz","version":"1"}}}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("Accept", "application/json, text/event-stream");
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return response.Headers.TryGetValues("Mcp-Session-Id", out var values) ? values.First() : "";
    }

    private static async Task<long> CountAsync(TestDataStore store, string table)
    {
        await using var connection = await store.OpenConnectionAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT count(*) FROM \"{table}\"";
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];

    private static string Preview(HttpRequestMessage request) =>
        request.Content is ByteArrayContent c ? Truncate(Encoding.UTF8.GetString(c.ReadAsByteArrayAsync().GetAwaiter().GetResult())) : "";

    private static string Truncate(string s) => s.Length > 160 ? s[..160] + "…" : s;
}
