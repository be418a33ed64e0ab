using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Mnemo.Bench.Floor;

/// <summary>
/// Obtains a real OAuth access token from <c>mnemo serve</c> over HTTP, as a hosted connector (Claude.ai) and the
/// person in its browser do: dynamic client registration, <c>/authorize</c> with PKCE S256 and the MCP resource,
/// sign-in on the login page, Allow on the consent page, and the code exchanged at <c>/token</c>. The same steps as
/// the server tests' ConnectorDriver, which the bench cannot reference. Every step is checked, so a changed page
/// fails here with the step named instead of leaving the bench to measure 401s.
/// </summary>
internal sealed class OAuthConnector : IDisposable
{
    private const string Callback = "https://claude.ai/api/mcp/auth_callback";
    private const string Scope = "memory:read memory:write";

    private readonly Uri _baseUrl;
    private readonly HttpClient _connector;
    private readonly HttpClient _browser;

    public OAuthConnector(Uri baseUrl)
    {
        _baseUrl = baseUrl;
        // The connector is a server elsewhere: no cookies. The browser keeps cookies. Neither follows redirects, so
        // each one is seen (the last one goes to claude.ai and carries the code).
        _connector = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = baseUrl };
        _browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = new CookieContainer() }) { BaseAddress = baseUrl };
    }

    /// <summary>The whole connect for <paramref name="userName"/>; returns the access token.</summary>
    public async Task<string> ConnectAsync(string userName, string password)
    {
        var resource = new Uri(_baseUrl, "/mcp").ToString();
        var clientId = await RegisterAsync();
        var verifier = Base64Url(RandomNumberGenerator.GetBytes(32));
        var challenge = Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        var state = Base64Url(RandomNumberGenerator.GetBytes(12));
        var authorize = "/authorize?" + Query(new()
        {
            ["response_type"] = "code",
            ["client_id"] = clientId,
            ["redirect_uri"] = Callback,
            ["state"] = state,
            ["code_challenge"] = challenge,
            ["code_challenge_method"] = "S256",
            ["scope"] = Scope,
            ["resource"] = resource,
        });

        // Not signed in: /authorize sends the browser to the login page.
        using var first = await _browser.GetAsync(authorize);
        var login = Redirect(first, "GET /authorize (expected the login page)");
        using var loginPage = await _browser.GetAsync(login);
        var loginFields = HtmlForm.Fields(await Page(loginPage, "GET " + login));
        loginFields["userName"] = userName;
        loginFields["password"] = password;
        using var signedIn = await _browser.PostAsync("/login", new FormUrlEncodedContent(loginFields));
        var back = Redirect(signedIn, "POST /login (wrong password, or the form changed)");

        // Signed in: back at /authorize, which shows the consent page, or redirects straight to the client when this
        // person already allowed this app (a second connect on the same data remembers the first one's consent).
        using var consentPage = await _browser.GetAsync(back);
        var toClient = new Uri(consentPage.StatusCode is HttpStatusCode.Found or HttpStatusCode.SeeOther
            ? Redirect(consentPage, "GET /authorize (consent remembered)")
            : await AllowAsync(await Page(consentPage, "GET " + back + " (consent page)")));
        var answer = ParseQuery(toClient.Query);
        if (!toClient.ToString().StartsWith(Callback, StringComparison.Ordinal) || !answer.TryGetValue("code", out var code) || answer.GetValueOrDefault("state") != state)
        {
            throw new InvalidOperationException($"OAuth: consent redirected to {toClient} instead of the callback with a code and the state");
        }

        using var token = await _connector.PostAsync("/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = Callback,
            ["client_id"] = clientId,
            ["code_verifier"] = verifier,
            ["resource"] = resource,
        }));
        var body = await token.Content.ReadAsStringAsync();
        if (token.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"OAuth: POST /token answered {(int)token.StatusCode}: {body}");
        }

        return JsonDocument.Parse(body).RootElement.GetProperty("access_token").GetString()
            ?? throw new InvalidOperationException("OAuth: /token answered without an access_token");
    }

    public void Dispose()
    {
        _connector.Dispose();
        _browser.Dispose();
    }

    /// <summary>Answers Allow on the consent page; returns the redirect to the client.</summary>
    private async Task<string> AllowAsync(string consentHtml)
    {
        var fields = HtmlForm.Fields(consentHtml);
        fields["mnemo_consent"] = "allow";
        using var allowed = await _browser.PostAsync("/authorize", new FormUrlEncodedContent(fields));
        return Redirect(allowed, "POST /authorize (consent)");
    }

    /// <summary>Dynamic client registration of a public client (PKCE, no secret), as Claude.ai registers itself.</summary>
    private async Task<string> RegisterAsync()
    {
        using var response = await _connector.PostAsJsonAsync("/register", new Dictionary<string, object>
        {
            ["client_name"] = "Mnemo floor bench",
            ["redirect_uris"] = new[] { Callback },
            ["grant_types"] = new[] { "authorization_code", "refresh_token" },
            ["response_types"] = new[] { "code" },
            ["token_endpoint_auth_method"] = "none",
        });
        var body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw new InvalidOperationException($"OAuth: POST /register answered {(int)response.StatusCode}: {body}");
        }

        return JsonDocument.Parse(body).RootElement.GetProperty("client_id").GetString()
            ?? throw new InvalidOperationException("OAuth: /register answered without a client_id");
    }

    private static string Redirect(HttpResponseMessage response, string step) =>
        response.StatusCode is HttpStatusCode.Found or HttpStatusCode.SeeOther && response.Headers.Location is { } location
            ? location.ToString()
            : throw new InvalidOperationException($"OAuth: {step} answered {(int)response.StatusCode} instead of a redirect");

    private static async Task<string> Page(HttpResponseMessage response, string step) =>
        response.StatusCode == HttpStatusCode.OK
            ? await response.Content.ReadAsStringAsync()
            : throw new InvalidOperationException($"OAuth: {step} answered {(int)response.StatusCode} instead of a page");

    private static string Query(Dictionary<string, string> parameters) =>
        string.Join('&', parameters.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}"));

    private static Dictionary<string, string> ParseQuery(string query) =>
        query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .ToDictionary(p => Uri.UnescapeDataString(p[0]), p => p.Length > 1 ? Uri.UnescapeDataString(p[1].Replace('+', ' ')) : "", StringComparer.Ordinal);

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
