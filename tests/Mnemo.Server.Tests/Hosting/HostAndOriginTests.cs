using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mnemo.Server.Tests.Infrastructure;

namespace Mnemo.Server.Tests.Hosting;

/// <summary>DNS-rebinding defence: only Mnemo's own Host is answered, and foreign browser origins get 403 on /mcp.</summary>
public sealed class HostAndOriginTests
{
    [Theory]
    [InlineData("evil.example")]
    [InlineData("localhost.evil.example")]
    [InlineData("127.0.0.1.nip.io")]
    public async Task LocalMode_ForeignHost_Is400Json(string host)
    {
        await using var server = await MnemoTestServer.StartAsync();
        using var http = server.CreateHttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/status");
        request.Headers.Host = host;

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
    }

    [Fact]
    public async Task LocalMode_LoopbackHostOnAnotherPort_Is400()
    {
        await using var server = await MnemoTestServer.StartAsync();
        using var http = server.CreateHttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/status");
        request.Headers.Host = $"localhost:{(server.BaseUrl.Port == 1 ? 2 : 1)}";

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("127.0.0.1")]
    public async Task LocalMode_LoopbackHost_IsAnswered(string host)
    {
        await using var server = await MnemoTestServer.StartAsync();
        using var http = server.CreateHttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/status");
        request.Headers.Host = $"{host}:{server.BaseUrl.Port}";

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task PublicUrl_OnlyThePublicHostIsAnswered()
    {
        await using var server = await MnemoTestServer.StartAsync(configuration: new Dictionary<string, string?> { ["Mnemo:PublicUrl"] = "https://mnemo.example.com" });
        using var http = server.CreateHttpClient();

        using var publicRequest = new HttpRequestMessage(HttpMethod.Get, "/status");
        publicRequest.Headers.Host = "mnemo.example.com";
        using var publicResponse = await http.SendAsync(publicRequest);
        using var loopbackResponse = await http.GetAsync("/status");

        Assert.Equal(HttpStatusCode.OK, publicResponse.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, loopbackResponse.StatusCode);
    }

    [Theory]
    [InlineData("https://evil.example", HttpStatusCode.Forbidden)]
    [InlineData("http://localhost.evil.example", HttpStatusCode.Forbidden)]
    [InlineData("null", HttpStatusCode.Forbidden)]
    [InlineData("http://localhost:6274", HttpStatusCode.OK)]
    [InlineData("http://127.0.0.1:3000", HttpStatusCode.OK)]
    public async Task Mcp_OriginIsChecked(string origin, HttpStatusCode expected)
    {
        await using var server = await MnemoTestServer.StartAsync();
        var key = await server.CreateUserWithKeyAsync("alice");
        using var http = server.CreateHttpClient(key);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/mcp")
        {
            Content = JsonContent.Create(new { jsonrpc = "2.0", id = 1, method = "initialize", @params = new { protocolVersion = "2025-06-18", capabilities = new { }, clientInfo = new { name = "web", version = "1" } } }),
        };
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");
        request.Headers.Add("Origin", origin);

        using var response = await http.SendAsync(request);

        Assert.Equal(expected, response.StatusCode);
        if (expected == HttpStatusCode.OK)
        {
            Assert.Equal(origin, response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        }
    }

    [Fact]
    public async Task Mcp_CorsPreflight_FromLoopbackOrigin_IsAnsweredWithoutToken()
    {
        await using var server = await MnemoTestServer.StartAsync();
        using var http = server.CreateHttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Options, "/mcp");
        request.Headers.Add("Origin", "http://localhost:6274");
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "authorization,content-type,mcp-session-id");

        using var response = await http.SendAsync(request);

        Assert.True(response.IsSuccessStatusCode, response.StatusCode.ToString());
        Assert.Equal("http://localhost:6274", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
    }
}
