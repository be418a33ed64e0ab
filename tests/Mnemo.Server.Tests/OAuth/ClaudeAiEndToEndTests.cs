using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Mnemo.Server.Tests.Infrastructure;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Mnemo.Server.Tests.OAuth;

/// <summary>
/// Claude.ai's connect flow end to end over a real port: what Claude's servers send and what the
/// person's browser does, step by step, with the habits OAUTH.md lists.
/// </summary>
public sealed partial class ClaudeAiEndToEndTests
{
    [Fact]
    public async Task ClaudeAi_ConnectsThroughDynamicRegistration_UsesMemory_RefreshesAndIsCutOffByRevocation()
    {
        await using var server = await OAuthTestServer.StartAsync();
        await server.CreateUserAsync("alice");
        using var claude = new ConnectorDriver(server);

        var clientId = await DiscoverAndRegisterAsync(server, claude);
        await ConnectUseRefreshRevokeAsync(server, claude, clientId, expectedIdentity: "unverified");
    }

    [Fact]
    public async Task ClaudeAi_ConnectsThroughItsClientMetadataDocument_UsesMemory_RefreshesAndIsCutOffByRevocation()
    {
        var documents = FakeMetadataDocuments.WithClaude();
        await using var server = await OAuthTestServer.StartAsync(services: documents.Register);
        await server.CreateUserAsync("alice");
        using var claude = new ConnectorDriver(server);

        await DiscoverAndRegisterAsync(server, claude, register: false);
        await ConnectUseRefreshRevokeAsync(server, claude, FakeMetadataDocuments.ClaudeClientId, expectedIdentity: "verified: claude.ai");

        // The document was fetched once and cached (in the client row) for the token, refresh and revoke steps.
        Assert.Single(documents.Requests);
    }

    /// <summary>401 on initialize → resource metadata → AS metadata → DCR; returns the client id.</summary>
    internal static async Task<string> DiscoverAndRegisterAsync(OAuthTestServer server, ConnectorDriver claude, bool register = true)
    {
        // 1. Unauthenticated initialize: 401 pointing at the resource metadata, never 200.
        using var unauthenticated = await claude.InitializeAsync(bearer: null);
        Assert.Equal(HttpStatusCode.Unauthorized, unauthenticated.StatusCode);
        var challenge = unauthenticated.Headers.WwwAuthenticate.ToString();
        Assert.DoesNotContain("error=", challenge);
        var metadataUrl = ResourceMetadataPattern().Match(challenge).Groups[1].Value;
        Assert.Equal(server.Origin + "/.well-known/oauth-protected-resource/mcp", metadataUrl);
        Assert.Contains("scope=\"memory:read memory:write\"", challenge);

        // 2. RFC 9728 resource metadata: resource is the MCP URL, one authorization server (this origin).
        var resource = await claude.Http.GetFromJsonAsync<JsonElement>(new Uri(metadataUrl).PathAndQuery);
        Assert.Equal(server.McpUrl, resource.GetProperty("resource").GetString());
        var issuer = resource.GetProperty("authorization_servers")[0].GetString()!;
        Assert.Equal(server.Origin, issuer);
        var root = await claude.Http.GetFromJsonAsync<JsonElement>("/.well-known/oauth-protected-resource");
        Assert.Equal(server.McpUrl, root.GetProperty("resource").GetString());

        // 3. RFC 8414 metadata: issuer byte for byte, S256 only, none first, DCR and CIMD advertised.
        var metadata = await claude.Http.GetFromJsonAsync<JsonElement>("/.well-known/oauth-authorization-server");
        Assert.Equal(issuer, metadata.GetProperty("issuer").GetString());
        Assert.Equal(["S256"], metadata.GetProperty("code_challenge_methods_supported").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("none", metadata.GetProperty("token_endpoint_auth_methods_supported")[0].GetString());
        Assert.Equal(server.Origin + "/register", metadata.GetProperty("registration_endpoint").GetString());
        Assert.Equal(server.Origin + "/authorize", metadata.GetProperty("authorization_endpoint").GetString());
        Assert.Equal(server.Origin + "/token", metadata.GetProperty("token_endpoint").GetString());
        Assert.True(metadata.GetProperty("client_id_metadata_document_supported").GetBoolean());
        Assert.True(metadata.GetProperty("authorization_response_iss_parameter_supported").GetBoolean());
        var openid = await claude.Http.GetFromJsonAsync<JsonElement>("/.well-known/openid-configuration");
        Assert.Equal(issuer, openid.GetProperty("issuer").GetString());

        // 4. Dynamic client registration (Claude registers anew on every connect).
        return register ? await claude.RegisterAsync() : "";
    }

    /// <summary>Authorize with PKCE and resource → login → consent → code with iss → token → MCP → refresh → revoke → 401.</summary>
    internal static async Task ConnectUseRefreshRevokeAsync(OAuthTestServer server, ConnectorDriver claude, string clientId, string expectedIdentity)
    {
        var pkce = Pkce.Create();
        var authorize = claude.AuthorizeUrl(clientId, pkce, state: "claude-state-1");

        // The browser is sent to the login page, signs in, sees the consent page.
        using var first = await claude.Browser.GetAsync(authorize);
        Assert.Equal(HttpStatusCode.Found, first.StatusCode);
        var login = first.Headers.Location!.ToString();
        Assert.StartsWith("/login?returnUrl=", login);
        using var signedIn = await claude.SignInAsync(login, "alice");
        Assert.Equal(HttpStatusCode.Found, signedIn.StatusCode);
        Assert.Contains(claude.Browser.Cookies.GetAllCookies(), c => c.Name == "mnemo_session" && c.HttpOnly && !c.Secure);

        using var consent = await claude.Browser.GetAsync(signedIn.Headers.Location!.ToString());
        Assert.Equal(HttpStatusCode.OK, consent.StatusCode);
        var csp = string.Join(";", consent.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.Contains("form-action 'self' https://claude.ai", csp);
        Assert.Equal("DENY", consent.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("no-referrer", consent.Headers.GetValues("Referrer-Policy").Single());
        var html = await consent.Content.ReadAsStringAsync();
        Assert.Contains("Claude", html);
        Assert.Contains("claude.ai", html);
        Assert.Contains(expectedIdentity, html);

        // A double page load must not break "Allow": answer the first copy after loading a second.
        using var reloaded = await claude.Browser.GetAsync(signedIn.Headers.Location!.ToString());
        Assert.Equal(HttpStatusCode.OK, reloaded.StatusCode);
        var redirect = await claude.AllowAsync(html);

        // The code comes back to Claude's callback with state and iss (RFC 9207).
        Assert.Equal(ConnectorDriver.ClaudeCallback, redirect.GetLeftPart(UriPartial.Path));
        var query = ConnectorDriver.Query(redirect);
        Assert.Equal("claude-state-1", query["state"]);
        Assert.Equal(server.Origin, query["iss"]);

        using var exchange = await claude.ExchangeAsync(clientId, query["code"], pkce.Verifier);
        Assert.Equal(HttpStatusCode.OK, exchange.StatusCode);
        Assert.Contains("no-store", exchange.Headers.CacheControl!.ToString());
        Assert.Equal("application/json", exchange.Content.Headers.ContentType!.MediaType);
        var tokens = await exchange.Content.ReadFromJsonAsync<JsonElement>();
        var accessToken = tokens.GetProperty("access_token").GetString()!;
        var refreshToken = tokens.GetProperty("refresh_token").GetString()!;
        Assert.Equal("Bearer", tokens.GetProperty("token_type").GetString());

        // MCP as alice: initialize, tools/list shows every tool, write then search.
        await using (var mcp = await ConnectMcpAsync(server, accessToken))
        {
            var tools = await mcp.ListToolsAsync();
            Assert.Contains(tools, t => t.Name == "search_memory");
            Assert.Contains(tools, t => t.Name == "add_memories");
            (await mcp.CallAsync("add_memories", new { memories = new[] { "Alice prefers green tea." } })).EnsureOk();
            var found = await mcp.CallAsync("search_memory", new { query = "green tea" });
            Assert.Contains("green tea", found.Text());
        }

        // Refresh: a new pair, the new access token works.
        using var refreshed = await claude.RefreshAsync(clientId, refreshToken);
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        var newTokens = await refreshed.Content.ReadFromJsonAsync<JsonElement>();
        var newAccess = newTokens.GetProperty("access_token").GetString()!;
        var newRefresh = newTokens.GetProperty("refresh_token").GetString()!;
        Assert.NotEqual(refreshToken, newRefresh);
        using (var ok = await claude.InitializeAsync(newAccess))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        // Revoke (what a disconnect does): the next call is 401 invalid_token at once.
        using var revoked = await claude.RevokeAsync(clientId, newRefresh);
        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        using var after = await claude.InitializeAsync(newAccess);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        Assert.Contains("error=\"invalid_token\"", after.Headers.WwwAuthenticate.ToString());
    }

    internal static async Task<McpClient> ConnectMcpAsync(OAuthTestServer server, string accessToken)
    {
        var transport = new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = new Uri(server.BaseUrl, "/mcp"),
            AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = $"Bearer {accessToken}" },
        });
        return await McpClient.CreateAsync(transport, new McpClientOptions { ClientInfo = new Implementation { Name = "claude-ai", Version = "0.1" } });
    }

    [GeneratedRegex("resource_metadata=\"([^\"]+)\"")]
    private static partial Regex ResourceMetadataPattern();
}
