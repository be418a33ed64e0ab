using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Mnemo.Server.Tests.OAuth;

/// <summary>Redirect-URI manipulation (OAUTH.md attack list): exact matching, no Location on failure, no open redirector.</summary>
public sealed class RedirectUriAttackTests
{
    [Theory]
    [InlineData("https://claude.ai/api/mcp/auth_callback2")]            // path
    [InlineData("https://claude.ai/api/mcp/auth_callback/")]            // trailing slash
    [InlineData("https://claude.ai/api/mcp/auth_callback?x=1")]         // query
    [InlineData("https://claude.ai/API/mcp/auth_callback")]             // case (path)
    [InlineData("https://claude.ai.evil.example/api/mcp/auth_callback")] // host suffix
    [InlineData("https://evil.example/api/mcp/auth_callback")]          // host
    [InlineData("https://claude.ai:8443/api/mcp/auth_callback")]        // port
    [InlineData("http://claude.ai/api/mcp/auth_callback")]              // scheme
    [InlineData("https://claude.ai/api/mcp/auth_callback#frag")]        // fragment
    [InlineData("https://claude.ai/api/mcp/auth_callback/../../x")]     // traversal
    public async Task Authorize_ShowsAnErrorPageAndNeverRedirects_WhenRedirectUriDiffersFromTheRegisteredOne(string redirectUri)
    {
        await using var server = await OAuthTestServer.StartAsync();
        await server.CreateUserAsync("alice");
        using var connector = new ConnectorDriver(server);
        var clientId = await connector.RegisterAsync();
        // Signed in first, so a missing check could not hide behind the login redirect.
        await SignInAsync(connector);

        using var response = await connector.Browser.GetAsync(connector.AuthorizeUrl(clientId, Pkce.Create(), redirectUri: redirectUri));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("cannot connect", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Authorize_ShowsAnErrorPage_WhenRedirectUriIsMissing()
    {
        await using var server = await OAuthTestServer.StartAsync();
        using var connector = new ConnectorDriver(server);
        var clientId = await connector.RegisterAsync();
        var url = connector.AuthorizeUrl(clientId, Pkce.Create()).Replace("redirect_uri=", "ignored=", StringComparison.Ordinal);

        using var response = await connector.Browser.GetAsync(url);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
    }

    [Fact]
    public async Task Authorize_ShowsAnErrorPage_WhenClientIsUnknown()
    {
        await using var server = await OAuthTestServer.StartAsync();
        using var connector = new ConnectorDriver(server);

        using var response = await connector.Browser.GetAsync(connector.AuthorizeUrl("no-such-client", Pkce.Create()));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
    }

    [Fact]
    public async Task Authorize_AcceptsAnyPortOnALoopbackRedirect_ButNotALookalikeHost()
    {
        await using var server = await OAuthTestServer.StartAsync();
        await server.CreateUserAsync("alice");
        using var connector = new ConnectorDriver(server);
        var clientId = await connector.RegisterAsync("http://127.0.0.1:33418/oauth/callback", "mcp-remote");
        await SignInAsync(connector);

        using (var otherPort = await connector.Browser.GetAsync(connector.AuthorizeUrl(clientId, Pkce.Create(), redirectUri: "http://127.0.0.1:51234/oauth/callback")))
        {
            Assert.Equal(HttpStatusCode.OK, otherPort.StatusCode); // consent page: RFC 8252 §7.3
        }

        foreach (var bad in new[] { "http://localhost.evil.example:33418/oauth/callback", "http://127.0.0.1:33418/oauth/other", "http://localhost:33418/oauth/callback" })
        {
            using var response = await connector.Browser.GetAsync(connector.AuthorizeUrl(clientId, Pkce.Create(), redirectUri: bad));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Null(response.Headers.Location);
        }
    }

    [Theory]
    [InlineData("javascript:alert(1)")]
    [InlineData("data:text/html,hi")]
    [InlineData("http://example.com/callback")]
    [InlineData("https://example.com/callback#fragment")]
    [InlineData("https://*.example.com/callback")]
    [InlineData("https://user:pass@example.com/callback")]
    [InlineData("not a uri")]
    public async Task Register_RefusesRedirectUri_ThatCannotBeASafeTarget(string redirectUri)
    {
        await using var server = await OAuthTestServer.StartAsync();
        using var connector = new ConnectorDriver(server);

        using var response = await connector.Http.PostAsJsonAsync("/register", new { client_name = "x", redirect_uris = new[] { redirectUri } });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_redirect_uri", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
    }

    [Fact]
    public async Task Register_RefusesOversizedBodiesAndUnsupportedGrants()
    {
        await using var server = await OAuthTestServer.StartAsync();
        using var connector = new ConnectorDriver(server);

        using var huge = await connector.Http.PostAsJsonAsync("/register", new { client_name = new string('x', 20_000), redirect_uris = new[] { ConnectorDriver.ClaudeCallback } });
        using var implicitGrant = await connector.Http.PostAsJsonAsync("/register", new { redirect_uris = new[] { ConnectorDriver.ClaudeCallback }, grant_types = new[] { "implicit" } });
        using var password = await connector.Http.PostAsJsonAsync("/register", new { redirect_uris = new[] { ConnectorDriver.ClaudeCallback }, grant_types = new[] { "password" } });

        Assert.Equal(HttpStatusCode.BadRequest, huge.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, implicitGrant.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, password.StatusCode);
    }

    [Fact]
    public async Task Register_Returns201WithIntegerSecretExpiry_AndIgnoresUnknownFields()
    {
        await using var server = await OAuthTestServer.StartAsync();
        using var connector = new ConnectorDriver(server);

        using var response = await connector.Http.PostAsJsonAsync("/register", new
        {
            client_name = "Claude",
            redirect_uris = new[] { ConnectorDriver.ClaudeCallback },
            application_type = "web",
            logo_uri = "https://claude.ai/logo.png",
            software_id = "claude",
        });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(JsonValueKind.Number, body.GetProperty("client_secret_expires_at").ValueKind);
        Assert.Equal("none", body.GetProperty("token_endpoint_auth_method").GetString());
        Assert.False(body.TryGetProperty("client_secret", out _));
    }

    [Fact]
    public async Task Consent_HtmlEncodesTheClientName()
    {
        await using var server = await OAuthTestServer.StartAsync();
        await server.CreateUserAsync("alice");
        using var connector = new ConnectorDriver(server);
        var clientId = await connector.RegisterAsync(name: "<script>alert('x')</script>Evil");
        await SignInAsync(connector);

        using var consent = await connector.Browser.GetAsync(connector.AuthorizeUrl(clientId, Pkce.Create()));
        var html = await consent.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, consent.StatusCode);
        Assert.DoesNotContain("<script>", html);
        Assert.Contains("&lt;script&gt;", html);
    }

    internal static async Task SignInAsync(ConnectorDriver connector, string userName = "alice")
    {
        using var response = await connector.SignInAsync("/login", userName);
        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
    }
}
