using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Mnemo.Auth.Accounts;

namespace Mnemo.Server.Tests.OAuth;

/// <summary>With Mnemo:PublicUrl every published URL comes from it; no request header chooses them.</summary>
public sealed class PublicUrlTests
{
    [Fact]
    public async Task Metadata_UsesThePublicUrl_AndIgnoresForwardedHostHeaders()
    {
        await using var server = await OAuthTestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Mnemo:PublicUrl"] = "https://mnemo.example.test",
            ["Mnemo:ForwardedHeaders:KnownProxies:0"] = "127.0.0.1",
        });
        using var connector = new ConnectorDriver(server);
        connector.Http.DefaultRequestHeaders.Add("X-Forwarded-Host", "evil.example");
        connector.Http.DefaultRequestHeaders.Add("X-Forwarded-Proto", "http");

        var resource = await connector.Http.GetFromJsonAsync<JsonElement>("/.well-known/oauth-protected-resource/mcp");
        var metadata = await connector.Http.GetFromJsonAsync<JsonElement>("/.well-known/oauth-authorization-server");
        using var challenge = await connector.InitializeAsync(bearer: null);

        Assert.Equal("https://mnemo.example.test/mcp", resource.GetProperty("resource").GetString());
        Assert.Equal("https://mnemo.example.test", metadata.GetProperty("issuer").GetString());
        Assert.Equal("https://mnemo.example.test/token", metadata.GetProperty("token_endpoint").GetString());
        Assert.Contains("resource_metadata=\"https://mnemo.example.test/.well-known/oauth-protected-resource/mcp\"", challenge.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task LoginPage_OverPlainHttpBehindAnUntrustedProxy_SaysWhatIsWrong_WithA400()
    {
        const string path = "/login";
        // An https public URL makes the cookies Secure-only; without a trusted proxy the request counts as http.
        await using var server = await OAuthTestServer.StartAsync(new Dictionary<string, string?> { ["Mnemo:PublicUrl"] = "https://mnemo.example.test" });
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = server.BaseUrl };
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Host = "mnemo.example.test";
        request.Headers.Add("X-Forwarded-Proto", "https");

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("KnownProxies", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task DiscoveryAndTokenEndpoints_AllowAnyOriginWithoutCredentials_AndAnswerPreflights()
    {
        await using var server = await OAuthTestServer.StartAsync();
        using var connector = new ConnectorDriver(server);
        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/token");
        preflight.Headers.Add("Origin", "https://inspector.example");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        using var metadataRequest = new HttpRequestMessage(HttpMethod.Get, "/.well-known/oauth-authorization-server");
        metadataRequest.Headers.Add("Origin", "https://inspector.example");

        using var preflightResponse = await connector.Http.SendAsync(preflight);
        using var metadata = await connector.Http.SendAsync(metadataRequest);

        Assert.Equal(HttpStatusCode.NoContent, preflightResponse.StatusCode);
        Assert.Equal("*", preflightResponse.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal("*", metadata.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.False(metadata.Headers.Contains("Access-Control-Allow-Credentials"));
    }

    [Fact]
    public async Task SignInSession_IsReusedByTheNextConnector_WithoutAskingForThePasswordAgain()
    {
        await using var server = await OAuthTestServer.StartAsync();
        await server.CreateUserAsync("alice");
        using var claude = new ConnectorDriver(server);
        await claude.ConnectAsync("alice");

        // A second app, same browser: straight to its consent page, no login.
        var chatGpt = await claude.RegisterAsync("https://chatgpt.com/connector_platform_oauth_redirect", "ChatGPT");
        using var response = await claude.Browser.GetAsync(claude.AuthorizeUrl(chatGpt, Pkce.Create(), redirectUri: "https://chatgpt.com/connector_platform_oauth_redirect"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("ChatGPT", await response.Content.ReadAsStringAsync());
        var session = claude.Browser.Cookies.GetAllCookies().Single(c => c.Name == "mnemo_session");
        Assert.True(session.Expires > DateTime.Now.AddDays(13), "a persistent session (Mnemo:Auth:SessionLifetime, 14 days)");
    }

    [Fact]
    public async Task Consent_IsRemembered_PerUserClientAndScopes()
    {
        await using var server = await OAuthTestServer.StartAsync();
        await server.CreateUserAsync("alice");
        using var claude = new ConnectorDriver(server);
        var clientId = await claude.RegisterAsync();
        await claude.AuthorizeAsync(claude.AuthorizeUrl(clientId, Pkce.Create(), scope: "memory:read"), "alice");

        using var same = await claude.Browser.GetAsync(claude.AuthorizeUrl(clientId, Pkce.Create(), scope: "memory:read"));
        using var more = await claude.Browser.GetAsync(claude.AuthorizeUrl(clientId, Pkce.Create(), scope: "memory:read memory:write"));

        Assert.Equal(HttpStatusCode.Found, same.StatusCode);          // remembered: straight back with a code
        Assert.Contains("code=", same.Headers.Location!.Query);
        Assert.Equal(HttpStatusCode.OK, more.StatusCode);             // more scopes: asked again
    }

    [Fact]
    public async Task Login_RefusesAPostWithoutTheAntiForgeryToken()
    {
        await using var server = await OAuthTestServer.StartAsync();
        await server.CreateUserAsync("alice");
        using var browser = new ConnectorDriver(server);

        using var response = await browser.Browser.PostFormAsync("/login", new Dictionary<string, string> { ["userName"] = "alice", ["password"] = OAuthTestServer.Password });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.DoesNotContain(browser.Browser.Cookies.GetAllCookies(), c => c.Name == "mnemo_session");
    }

    [Fact]
    public async Task Login_NeverRedirectsToAnotherSite()
    {
        await using var server = await OAuthTestServer.StartAsync();
        await server.CreateUserAsync("alice");
        using var browser = new ConnectorDriver(server);

        using var response = await browser.SignInAsync("/login?returnUrl=" + Uri.EscapeDataString("https://evil.example/"), "alice");

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.StartsWith("/", response.Headers.Location!.ToString());
        Assert.DoesNotContain("evil", response.Headers.Location!.ToString());
    }

    [Fact]
    public async Task DeletingAUser_RevokesItsOAuthTokensAtOnce()
    {
        await using var server = await OAuthTestServer.StartAsync();
        await server.CreateUserAsync("alice");
        using var claude = new ConnectorDriver(server);
        var (_, tokens) = await claude.ConnectAsync("alice");
        var access = tokens.GetProperty("access_token").GetString()!;

        await using (var scope = server.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<IAccountService>().DisableAsync("alice");
        }

        using var call = await claude.InitializeAsync(access);
        Assert.Equal(HttpStatusCode.Unauthorized, call.StatusCode);
    }
}
