using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Server;

namespace Mnemo.Server.Tests.OAuth;

/// <summary>PKCE, code replay, refresh replay, audience and scope attacks (OAUTH.md attack list).</summary>
public sealed class TokenAttackTests
{
    private static async Task<(OAuthTestServer Server, ConnectorDriver Connector, string ClientId)> StartAsync(IDictionary<string, string?>? configuration = null, Action<IServiceCollection>? services = null)
    {
        var server = await OAuthTestServer.StartAsync(configuration, services);
        await server.CreateUserAsync("alice");
        var connector = new ConnectorDriver(server);
        var clientId = await connector.RegisterAsync();
        await RedirectUriAttackTests.SignInAsync(connector);
        return (server, connector, clientId);
    }

    /// <summary>Consent + code for a signed-in browser.</summary>
    private static async Task<string> CodeAsync(ConnectorDriver connector, string authorizeUrl)
    {
        var redirect = await connector.AuthorizeAsync(authorizeUrl, "alice");
        return ConnectorDriver.Query(redirect)["code"];
    }

    private static async Task<string> ErrorAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString()!;

    /// <summary>A request OpenIddict refuses while validating it is answered on Mnemo's error page, never redirected.</summary>
    private static async Task AssertErrorPageAsync(ConnectorDriver connector, string authorizeUrl, string expectedError)
    {
        using var response = await connector.Browser.GetAsync(authorizeUrl);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
        Assert.Contains(expectedError, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Authorize_IsRefused_WhenCodeChallengeIsMissing()
    {
        var (server, connector, clientId) = await StartAsync();
        await using var _ = server;
        using var __ = connector;

        await AssertErrorPageAsync(connector, connector.AuthorizeUrl(clientId, pkce: null), "invalid_request");
    }

    [Fact]
    public async Task Authorize_IsRefused_WhenCodeChallengeMethodIsPlain()
    {
        var (server, connector, clientId) = await StartAsync();
        await using var _ = server;
        using var __ = connector;

        await AssertErrorPageAsync(connector, connector.AuthorizeUrl(clientId, Pkce.Create(), method: "plain"), "invalid_request");
    }

    [Fact]
    public async Task Authorize_RedirectsAccessDeniedWithIss_WhenThePersonDenies()
    {
        var (server, connector, clientId) = await StartAsync();
        await using var _ = server;
        using var __ = connector;
        using var consent = await connector.Browser.GetAsync(connector.AuthorizeUrl(clientId, Pkce.Create(), state: "s1"));

        var redirect = await connector.AllowAsync(await consent.Content.ReadAsStringAsync(), answer: "deny");

        var query = ConnectorDriver.Query(redirect);
        Assert.Equal("access_denied", query["error"]);
        Assert.Equal("s1", query["state"]);
        Assert.Equal(server.Origin, query["iss"]); // RFC 9207 on errors too
        Assert.False(query.ContainsKey("code"));
    }

    [Fact]
    public async Task Token_RefusesTheCode_WhenVerifierIsWrongOrMissing()
    {
        var (server, connector, clientId) = await StartAsync();
        await using var _ = server;
        using var __ = connector;
        var pkce = Pkce.Create();
        var code = await CodeAsync(connector, connector.AuthorizeUrl(clientId, pkce));

        using var wrong = await connector.ExchangeAsync(clientId, code, Pkce.Create().Verifier);
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.Equal("invalid_grant", await ErrorAsync(wrong));

        // Downgrade: a code issued with S256 redeemed without any verifier.
        var code2 = await CodeAsync(connector, connector.AuthorizeUrl(clientId, pkce));
        using var missing = await connector.ExchangeAsync(clientId, code2, verifier: null);
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
    }

    [Fact]
    public async Task Token_RefusesACodeRedeemedTwice_AndRevokesWhatTheFirstRedemptionIssued()
    {
        var (server, connector, clientId) = await StartAsync();
        await using var _ = server;
        using var __ = connector;
        var pkce = Pkce.Create();
        var code = await CodeAsync(connector, connector.AuthorizeUrl(clientId, pkce));
        using var first = await connector.ExchangeAsync(clientId, code, pkce.Verifier);
        var tokens = await first.Content.ReadFromJsonAsync<JsonElement>();
        var access = tokens.GetProperty("access_token").GetString()!;
        using (var works = await connector.InitializeAsync(access))
        {
            Assert.Equal(HttpStatusCode.OK, works.StatusCode);
        }

        using var replay = await connector.ExchangeAsync(clientId, code, pkce.Verifier);

        Assert.Equal(HttpStatusCode.BadRequest, replay.StatusCode);
        Assert.Equal("invalid_grant", await ErrorAsync(replay));
        using var afterReplay = await connector.InitializeAsync(access);
        Assert.Equal(HttpStatusCode.Unauthorized, afterReplay.StatusCode); // RFC 6749 §10.5
        using var refresh = await connector.RefreshAsync(clientId, tokens.GetProperty("refresh_token").GetString()!);
        Assert.Equal(HttpStatusCode.BadRequest, refresh.StatusCode);
    }

    [Fact]
    public async Task Token_RefusesTheCode_ForAnotherClientOrRedirectUri()
    {
        var (server, connector, clientId) = await StartAsync();
        await using var _ = server;
        using var __ = connector;
        var otherClient = await connector.RegisterAsync(name: "Other");
        var pkce = Pkce.Create();
        var code = await CodeAsync(connector, connector.AuthorizeUrl(clientId, pkce));

        using var byOther = await connector.ExchangeAsync(otherClient, code, pkce.Verifier);
        Assert.Equal(HttpStatusCode.BadRequest, byOther.StatusCode);

        var code2 = await CodeAsync(connector, connector.AuthorizeUrl(clientId, pkce));
        using var otherRedirect = await connector.ExchangeAsync(clientId, code2, pkce.Verifier, redirectUri: "https://claude.com/api/mcp/auth_callback");
        Assert.Equal(HttpStatusCode.BadRequest, otherRedirect.StatusCode);
    }

    [Fact]
    public async Task Token_RefusesAnExpiredCode()
    {
        var (server, connector, clientId) = await StartAsync(new Dictionary<string, string?> { ["Mnemo:Auth:AuthorizationCodeLifetime"] = "00:00:10" });
        await using var _ = server;
        using var __ = connector;
        var pkce = Pkce.Create();
        var code = await CodeAsync(connector, connector.AuthorizeUrl(clientId, pkce));
        await Task.Delay(TimeSpan.FromSeconds(11));

        using var late = await connector.ExchangeAsync(clientId, code, pkce.Verifier);

        Assert.Equal(HttpStatusCode.BadRequest, late.StatusCode);
        Assert.Equal("invalid_grant", await ErrorAsync(late));
    }

    [Fact]
    public async Task Authorize_GrantsTheConfiguredDefaultScopes_WhenTheClientAsksForNone()
    {
        var (server, connector, clientId) = await StartAsync(new Dictionary<string, string?> { ["Mnemo:Auth:DefaultScopes:0"] = "memory:read" });
        await using var _ = server;
        using var __ = connector;
        var pkce = Pkce.Create();
        var code = await CodeAsync(connector, connector.AuthorizeUrl(clientId, pkce, scope: null));

        using var exchange = await connector.ExchangeAsync(clientId, code, pkce.Verifier);

        Assert.Equal("memory:read offline_access", (await exchange.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("scope").GetString());
    }

    [Fact]
    public async Task Token_Answers401InvalidClient_WhenClientIsUnknownOrDeleted()
    {
        var (server, connector, clientId) = await StartAsync();
        await using var _ = server;
        using var __ = connector;

        using var unknown = await connector.ExchangeAsync("no-such-client", "code", "verifier");

        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        Assert.Equal("invalid_client", await ErrorAsync(unknown));
    }

    [Fact]
    public async Task Token_RefusesGetAndPasswordGrant()
    {
        var (server, connector, clientId) = await StartAsync();
        await using var _ = server;
        using var __ = connector;

        using var get = await connector.Http.GetAsync("/token");
        using var password = await connector.Http.PostAsync("/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password", ["username"] = "alice", ["password"] = OAuthTestServer.Password, ["client_id"] = clientId,
        }));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, get.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, password.StatusCode);
        Assert.Equal("unsupported_grant_type", await ErrorAsync(password));
    }

    [Fact]
    public async Task Authorize_RefusesResponseTypeToken()
    {
        var (server, connector, clientId) = await StartAsync();
        await using var _ = server;
        using var __ = connector;

        var url = connector.AuthorizeUrl(clientId, Pkce.Create()).Replace("response_type=code", "response_type=token", StringComparison.Ordinal);
        using var response = await connector.Browser.GetAsync(url);

        // Either an error page or an error redirect; never a token.
        Assert.DoesNotContain("access_token", response.Headers.Location?.ToString() ?? "");
        Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Found);
    }

    [Fact]
    public async Task Refresh_RotatesTheToken_AcceptsAReuseInsideTheGraceWindow()
    {
        var (server, connector, clientId) = await StartAsync();
        await using var _ = server;
        using var __ = connector;
        var pkce = Pkce.Create();
        using var exchange = await connector.ExchangeAsync(clientId, await CodeAsync(connector, connector.AuthorizeUrl(clientId, pkce)), pkce.Verifier);
        var refresh = (await exchange.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("refresh_token").GetString()!;

        using var first = await connector.RefreshAsync(clientId, refresh);
        using var raced = await connector.RefreshAsync(clientId, refresh); // a retried request, within 30 s

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, raced.StatusCode);
        Assert.NotEqual(refresh, (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("refresh_token").GetString());
    }

    [Fact]
    public async Task Refresh_ReusedAfterTheGraceWindow_IsRefusedAndRevokesTheWholeFamily()
    {
        var (server, connector, clientId) = await StartAsync(new Dictionary<string, string?> { ["Mnemo:Auth:RefreshTokenReuseLeeway"] = "00:00:01" });
        await using var _ = server;
        using var __ = connector;
        var pkce = Pkce.Create();
        using var exchange = await connector.ExchangeAsync(clientId, await CodeAsync(connector, connector.AuthorizeUrl(clientId, pkce)), pkce.Verifier);
        var stolen = (await exchange.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("refresh_token").GetString()!;
        using var rotated = await connector.RefreshAsync(clientId, stolen);
        var current = await rotated.Content.ReadFromJsonAsync<JsonElement>();
        await Task.Delay(TimeSpan.FromSeconds(2));

        using var replay = await connector.RefreshAsync(clientId, stolen);

        Assert.Equal(HttpStatusCode.BadRequest, replay.StatusCode);
        Assert.Equal("invalid_grant", await ErrorAsync(replay));
        using var legitimateRefresh = await connector.RefreshAsync(clientId, current.GetProperty("refresh_token").GetString()!);
        Assert.Equal(HttpStatusCode.BadRequest, legitimateRefresh.StatusCode);
        using var legitimateCall = await connector.InitializeAsync(current.GetProperty("access_token").GetString()!);
        Assert.Equal(HttpStatusCode.Unauthorized, legitimateCall.StatusCode);
    }

    [Fact]
    public async Task Refresh_ByAnotherClient_IsRefused()
    {
        var (server, connector, clientId) = await StartAsync();
        await using var _ = server;
        using var __ = connector;
        var other = await connector.RegisterAsync(name: "Other");
        var pkce = Pkce.Create();
        using var exchange = await connector.ExchangeAsync(clientId, await CodeAsync(connector, connector.AuthorizeUrl(clientId, pkce)), pkce.Verifier);
        var refresh = (await exchange.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("refresh_token").GetString()!;

        using var stolen = await connector.RefreshAsync(other, refresh);

        Assert.Equal(HttpStatusCode.BadRequest, stolen.StatusCode);
    }

    [Fact]
    public async Task Authorize_RefusesAForeignResource_WithInvalidTarget()
    {
        var (server, connector, clientId) = await StartAsync();
        await using var _ = server;
        using var __ = connector;

        await AssertErrorPageAsync(connector, connector.AuthorizeUrl(clientId, Pkce.Create(), resource: "https://other.example/mcp"), "invalid_target");
    }

    [Fact]
    public async Task Token_RefusesAForeignResource_WithInvalidTarget()
    {
        var (server, connector, clientId) = await StartAsync();
        await using var _ = server;
        using var __ = connector;
        var pkce = Pkce.Create();
        var code = await CodeAsync(connector, connector.AuthorizeUrl(clientId, pkce));

        using var exchange = await connector.ExchangeAsync(clientId, code, pkce.Verifier, resource: "https://other.example/mcp");

        Assert.Equal(HttpStatusCode.BadRequest, exchange.StatusCode);
        Assert.Equal("invalid_target", await ErrorAsync(exchange));
    }

    [Fact]
    public async Task Token_WithoutResourceOrScope_GetsTheMcpAudienceAndDefaultScopes()
    {
        var (server, connector, clientId) = await StartAsync();
        await using var _ = server;
        using var __ = connector;
        var pkce = Pkce.Create();
        var code = await CodeAsync(connector, connector.AuthorizeUrl(clientId, pkce, scope: null, resource: null));

        using var exchange = await connector.ExchangeAsync(clientId, code, pkce.Verifier, resource: null);

        var tokens = await exchange.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("memory:read memory:write offline_access", tokens.GetProperty("scope").GetString());
        using var call = await connector.InitializeAsync(tokens.GetProperty("access_token").GetString()!);
        Assert.Equal(HttpStatusCode.OK, call.StatusCode);
    }

    [Fact]
    public async Task Mcp_RefusesAnAccessTokenIssuedForAnotherResource()
    {
        // A token of this very issuer, validly signed, whose audience is another resource server.
        const string foreign = "https://other-resource.example/mcp";
        var (server, connector, clientId) = await StartAsync(services: services => services.AddOpenIddict().AddServer(s =>
            s.AddEventHandler<OpenIddictServerEvents.ProcessSignInContext>(h => h
                .UseInlineHandler(context =>
                {
                    context.Principal!.SetResources(foreign);
                    return ValueTask.CompletedTask;
                })
                .SetOrder(OpenIddictServerHandlers.PrepareAccessTokenPrincipal.Descriptor.Order - 1))));
        await using var _ = server;
        using var __ = connector;
        var pkce = Pkce.Create();
        using var exchange = await connector.ExchangeAsync(clientId, await CodeAsync(connector, connector.AuthorizeUrl(clientId, pkce)), pkce.Verifier);
        var access = (await exchange.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString()!;

        using var call = await connector.InitializeAsync(access);

        Assert.Equal(HttpStatusCode.Unauthorized, call.StatusCode);
        Assert.Contains("error=\"invalid_token\"", call.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task Mcp_IgnoresATokenInTheQueryString()
    {
        var (server, connector, clientId) = await StartAsync();
        await using var _ = server;
        using var __ = connector;
        var (_, tokens) = await connector.ConnectAsync("alice");
        var access = tokens.GetProperty("access_token").GetString()!;

        using var request = new HttpRequestMessage(HttpMethod.Post, "/mcp?access_token=" + Uri.EscapeDataString(access))
        {
            Content = new StringContent("""{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"x","version":"1"}}}""", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");
        using var response = await connector.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Mcp_AnswersInsufficientScope_WhenAReadOnlyTokenCallsAWriteTool_AndStillListsEveryTool()
    {
        var (server, connector, clientId) = await StartAsync();
        await using var _ = server;
        using var __ = connector;
        var (_, tokens) = await connector.ConnectAsync("alice", scope: "memory:read");
        var access = tokens.GetProperty("access_token").GetString()!;
        Assert.Equal("memory:read offline_access", tokens.GetProperty("scope").GetString());

        using var write = await connector.CallToolRawAsync(access, "add_memories", """{"memories":["Should not be saved."]}""");

        Assert.Equal(HttpStatusCode.Forbidden, write.StatusCode);
        var challenge = write.Headers.WwwAuthenticate.ToString();
        Assert.Contains("error=\"insufficient_scope\"", challenge);
        Assert.Contains("scope=\"memory:write\"", challenge);
        Assert.Equal("insufficient_scope", await ErrorAsync(write));

        await using var mcp = await ClaudeAiEndToEndTests.ConnectMcpAsync(server, access);
        var tools = await mcp.ListToolsAsync();
        Assert.Contains(tools, t => t.Name == "add_memories");
        var search = await mcp.CallToolAsync("search_memory", new Dictionary<string, object?> { ["query"] = "anything" });
        Assert.NotEqual(true, search.IsError);
    }

    [Fact]
    public async Task TokenEndpoint_StoresNoUsableCodeOrRefreshTokenInTheDatabase()
    {
        var (server, connector, clientId) = await StartAsync();
        await using var _ = server;
        using var __ = connector;
        var (_, tokens) = await connector.ConnectAsync("alice");

        var dump = await server.Store.DumpAsync();

        Assert.DoesNotContain(tokens.GetProperty("refresh_token").GetString()!, dump);
        Assert.DoesNotContain(tokens.GetProperty("access_token").GetString()!, dump);
    }
}
