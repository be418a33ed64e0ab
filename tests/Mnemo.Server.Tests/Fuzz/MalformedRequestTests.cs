using System.Net;
using System.Text;
using System.Text.Json;
using Mnemo.Server.Tests.Infrastructure;

namespace Mnemo.Server.Tests.Fuzz;

/// <summary>The malformed requests the fuzz first found answered with 500, each pinned to its 4xx answer.</summary>
public sealed class MalformedRequestTests : IAsyncLifetime
{
    private MnemoTestServer _server = null!;
    private string _key = null!;

    public async Task InitializeAsync()
    {
        _server = await MnemoTestServer.StartAsync();
        _key = await _server.CreateUserWithKeyAsync("alice");
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData("/token")]
    [InlineData("/revoke")]
    [InlineData("/introspect")]
    public async Task OAuthForm_WithANulCharacter_GetsInvalidRequestInJson(string path)
    {
        using var http = _server.CreateHttpClient();
        using var response = await http.PostAsync(path, new StringContent("token=a%00b&client_id=x%00", Encoding.UTF8, "application/x-www-form-urlencoded"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request", (await JsonAsync(response)).GetProperty("error").GetString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("application/json; charset=latin1")]
    public async Task McpPost_WithoutAJsonContentType_Gets415WithAJsonRpcError(string? contentType)
    {
        using var response = await PostMcpAsync("""{"jsonrpc":"2.0","id":1,"method":"ping"}""", contentType);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal(-32600, (await JsonAsync(response)).GetProperty("error").GetProperty("code").GetInt32());
    }

    [Theory]
    [InlineData("{", -32700)]
    [InlineData("\"x\"", -32600)]
    [InlineData("[]", -32600)]
    [InlineData("""{"id":1,"method":"tools/list"}""", -32600)]
    [InlineData("""{"jsonrpc":2,"id":1,"method":1}""", -32600)]
    [InlineData("""{"jsonrpc":"2.0","id":{},"method":"ping"}""", -32600)]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"tools/list","params":"null"}""", -32602)]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"level":"loud"}}""", -32602)]
    [InlineData("""{"jsonrpc":"2.0","error":{"code":"x"},"id":1}""", -32600)]
    [InlineData("""[{"jsonrpc":"2.0","id":-1,"method":"notifications/initialized","params":"null"}]""", -32602)]
    public async Task McpPost_ThatIsNotAJsonRpcMessage_Gets400WithAJsonRpcError(string body, int code)
    {
        using var response = await PostMcpAsync(body, "application/json");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var json = await JsonAsync(response);
        Assert.Equal("2.0", json.GetProperty("jsonrpc").GetString());
        Assert.Equal(code, json.GetProperty("error").GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task McpPost_Malformed_WithoutAToken_Gets401NotItsShape()
    {
        using var http = _server.CreateHttpClient();
        using var response = await http.PostAsync("/mcp", new StringContent("{", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task McpPost_OverFourMegabytes_Gets413WithAJsonBody_AnnouncedOrChunked(bool chunked)
    {
        // A valid message whose one argument is just over the limit: refused before it is parsed, whatever its framing.
        var body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"search_memory\",\"arguments\":{\"query\":\""
            + new string('x', 4 * 1024 * 1024) + "\"}}}";
        using var response = await PostMcpAsync(body, "application/json", chunked);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("request_too_large", (await JsonAsync(response)).GetProperty("error").GetString());
    }

    [Fact]
    public async Task McpPost_Chunked_IsReadOnce_AndAnswered()
    {
        // No Content-Length: the scope check and the guard read it into memory once, and the SDK still gets all of it.
        using var response = await PostMcpAsync(
            """{"jsonrpc":"2.0","id":7,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"chunky","version":"1"}}}""",
            "application/json", chunked: true);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("\"id\":7", text);
        Assert.Contains("\"protocolVersion\":\"2025-06-18\"", text);
    }

    private async Task<HttpResponseMessage> PostMcpAsync(string body, string? contentType, bool chunked = false)
    {
        using var http = _server.CreateHttpClient(_key);
        HttpContent content = chunked
            ? new StreamContent(new NoLengthStream(Encoding.UTF8.GetBytes(body)))
            : new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        if (contentType is not null)
        {
            content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, "/mcp") { Content = content };
        request.Headers.TryAddWithoutValidation("Accept", "application/json, text/event-stream");
        return await http.SendAsync(request);
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    /// <summary>A stream that hides its length, so HttpClient sends the body chunked.</summary>
    private sealed class NoLengthStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
