using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;

namespace Mnemo.Server.Tests.OAuth;

/// <summary>
/// Plays a hosted connector (Claude.ai, ChatGPT) and the person in front of the browser, step by step,
/// so each test can stop, tamper or replay at any step.
/// </summary>
public sealed class ConnectorDriver : IDisposable
{
    public const string ClaudeCallback = "https://claude.ai/api/mcp/auth_callback";

    private readonly string _mcpUrl;

    public ConnectorDriver(OAuthTestServer server, System.Net.CookieContainer? browserCookies = null)
        : this(server.BaseUrl, server.Origin, browserCookies)
    {
    }

    /// <param name="socket">Where the server listens.</param>
    /// <param name="origin">The origin clients see (the public URL, or the socket's origin in local mode); requests carry its Host.</param>
    public ConnectorDriver(Uri socket, string origin, System.Net.CookieContainer? browserCookies = null)
    {
        _mcpUrl = origin + "/mcp";
        var host = new Uri(origin).Authority;
        Http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = socket };
        Http.DefaultRequestHeaders.Host = host;
        Browser = new BrowserSession(socket, host, browserCookies);
    }

    /// <summary>The connector's own HTTP client (no cookies: it is a server somewhere else).</summary>
    public HttpClient Http { get; }

    /// <summary>The person's browser.</summary>
    public BrowserSession Browser { get; }

    public async Task<string> RegisterAsync(string redirectUri = ClaudeCallback, string name = "Claude", string authMethod = "none")
    {
        using var response = await Http.PostAsJsonAsync("/register", new Dictionary<string, object>
        {
            ["client_name"] = name,
            ["redirect_uris"] = new[] { redirectUri },
            ["grant_types"] = new[] { "authorization_code", "refresh_token" },
            ["response_types"] = new[] { "code" },
            ["token_endpoint_auth_method"] = authMethod,
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return body.GetProperty("client_id").GetString()!;
    }

    public string AuthorizeUrl(string clientId, Pkce? pkce, string state = "xyz-state", string redirectUri = ClaudeCallback,
        string? scope = "memory:read memory:write", string? resource = "<mcp>", string method = "S256")
    {
        var query = new Dictionary<string, string?>
        {
            ["response_type"] = "code",
            ["client_id"] = clientId,
            ["redirect_uri"] = redirectUri,
            ["state"] = state,
        };
        if (pkce is not null)
        {
            query["code_challenge"] = method == "plain" ? pkce.Verifier : pkce.Challenge;
            query["code_challenge_method"] = method;
        }

        if (scope is not null)
        {
            query["scope"] = scope;
        }

        if (resource is not null)
        {
            query["resource"] = resource == "<mcp>" ? _mcpUrl : resource;
        }

        return QueryHelpers.AddQueryString("/authorize", query);
    }

    /// <summary>Signs in on the login page the authorize request led to, as a person would.</summary>
    public async Task<HttpResponseMessage> SignInAsync(string loginLocation, string userName, string password = OAuthTestServer.Password)
    {
        using var page = await Browser.GetAsync(loginLocation);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var fields = BrowserSession.FormFields(await page.Content.ReadAsStringAsync());
        fields["userName"] = userName;
        fields["password"] = password;
        return await Browser.PostFormAsync("/login", fields);
    }

    /// <summary>Authorize → (login) → (consent → Allow); returns the final redirect to the client (asserted 302/303).</summary>
    public async Task<Uri> AuthorizeAsync(string authorizeUrl, string userName)
    {
        using var first = await Browser.GetAsync(authorizeUrl);
        if (first.StatusCode == HttpStatusCode.OK)
        {
            return await AllowAsync(await first.Content.ReadAsStringAsync()); // signed in already: consent page
        }

        Assert.Equal(HttpStatusCode.Found, first.StatusCode);
        var location = first.Headers.Location!.ToString();
        if (!location.StartsWith("/login", StringComparison.Ordinal))
        {
            return new Uri(location, UriKind.RelativeOrAbsolute); // consent remembered: straight back to the client
        }

        using var signedIn = await SignInAsync(location, userName);
        Assert.Equal(HttpStatusCode.Found, signedIn.StatusCode);
        using var consent = await Browser.GetAsync(signedIn.Headers.Location!.ToString());
        if (consent.StatusCode == HttpStatusCode.Found)
        {
            return consent.Headers.Location!;
        }

        Assert.Equal(HttpStatusCode.OK, consent.StatusCode);
        return await AllowAsync(await consent.Content.ReadAsStringAsync());
    }

    public async Task<Uri> AllowAsync(string consentHtml, string answer = "allow")
    {
        var fields = BrowserSession.FormFields(consentHtml);
        fields["mnemo_consent"] = answer;
        using var response = await Browser.PostFormAsync("/authorize", fields);
        Assert.True(response.StatusCode is HttpStatusCode.Found or HttpStatusCode.SeeOther, $"consent answered {(int)response.StatusCode}");
        return response.Headers.Location!;
    }

    public static Dictionary<string, string> Query(Uri redirect) =>
        QueryHelpers.ParseQuery(redirect.Query).ToDictionary(p => p.Key, p => p.Value.ToString());

    public Task<HttpResponseMessage> ExchangeAsync(string clientId, string code, string? verifier, string redirectUri = ClaudeCallback, string? resource = "<mcp>", string? clientSecret = null)
    {
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = redirectUri,
            ["client_id"] = clientId,
        };
        if (verifier is not null)
        {
            form["code_verifier"] = verifier;
        }

        if (resource is not null)
        {
            form["resource"] = resource == "<mcp>" ? _mcpUrl : resource;
        }

        if (clientSecret is not null)
        {
            form["client_secret"] = clientSecret;
        }

        return Http.PostAsync("/token", new FormUrlEncodedContent(form));
    }

    public Task<HttpResponseMessage> RefreshAsync(string clientId, string refreshToken, string? resource = "<mcp>")
    {
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = refreshToken,
            ["client_id"] = clientId,
        };
        if (resource is not null)
        {
            form["resource"] = resource == "<mcp>" ? _mcpUrl : resource;
        }

        return Http.PostAsync("/token", new FormUrlEncodedContent(form));
    }

    public Task<HttpResponseMessage> RevokeAsync(string clientId, string token, string hint = "refresh_token") =>
        Http.PostAsync("/revoke", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["token"] = token,
            ["token_type_hint"] = hint,
            ["client_id"] = clientId,
        }));

    /// <summary>Full connect for tests that need a token and do not examine the steps.</summary>
    public async Task<(string ClientId, JsonElement Tokens)> ConnectAsync(string userName, string scope = "memory:read memory:write")
    {
        var clientId = await RegisterAsync();
        var pkce = Pkce.Create();
        var redirect = await AuthorizeAsync(AuthorizeUrl(clientId, pkce, scope: scope), userName);
        var code = Query(redirect)["code"];
        using var response = await ExchangeAsync(clientId, code, pkce.Verifier);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (clientId, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    /// <summary>A raw MCP initialize with an optional bearer token (what a connector sends first).</summary>
    public async Task<HttpResponseMessage> InitializeAsync(string? bearer)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/mcp")
        {
            Content = new StringContent(
                """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"claude-ai","version":"0.1"}}}""",
                Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        return await Http.SendAsync(request);
    }

    /// <summary>A raw tools/call (stateless enough for the scope check, which runs before the session lookup).</summary>
    public async Task<HttpResponseMessage> CallToolRawAsync(string bearer, string tool, string argumentsJson = "{}", string? sessionId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/mcp")
        {
            Content = new StringContent(
                "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool + "\",\"arguments\":" + argumentsJson + "}}",
                Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        if (sessionId is not null)
        {
            request.Headers.Add("Mcp-Session-Id", sessionId);
        }

        return await Http.SendAsync(request);
    }

    public void Dispose()
    {
        Http.Dispose();
        Browser.Dispose();
    }
}
