using System.Net;

namespace Mnemo.Server.Tests.OAuth;

/// <summary>
/// RFC 9700 §4.11.2: an authorization server must not bounce a browser to a redirect URI it cannot vouch for before the
/// person has seen one of its pages. Anyone can register https://evil.example by DCR, so errors for unverified clients
/// are shown on Mnemo's page; verified ones (owner-registered, or a metadata document on the redirect's own host) and
/// errors after the person answered are redirected as usual.
/// </summary>
public sealed class UnverifiedClientErrorTests
{
    private const string Evil = "https://evil.example/cb";

    [Fact]
    public async Task PromptNone_WithoutASession_ForADynamicallyRegisteredClient_ShowsMnemosErrorPage()
    {
        await using var server = await OAuthTestServer.StartAsync();
        using var connector = new ConnectorDriver(server);
        var clientId = await connector.RegisterAsync(redirectUri: Evil);

        using var response = await connector.Browser.GetAsync(connector.AuthorizeUrl(clientId, Pkce.Create(), redirectUri: Evil) + "&prompt=none");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
        Assert.Contains("login_required", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task PromptNone_SignedInWithoutConsent_ForADynamicallyRegisteredClient_ShowsMnemosErrorPage()
    {
        await using var server = await OAuthTestServer.StartAsync();
        await server.CreateUserAsync("alice");
        using var connector = new ConnectorDriver(server);
        var clientId = await connector.RegisterAsync(redirectUri: Evil);
        await RedirectUriAttackTests.SignInAsync(connector);

        using var response = await connector.Browser.GetAsync(connector.AuthorizeUrl(clientId, Pkce.Create(), redirectUri: Evil) + "&prompt=none");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
        Assert.Contains("consent_required", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task PromptNone_WithoutASession_ForAVerifiedMetadataDocumentClient_RedirectsWithLoginRequired()
    {
        var documents = FakeMetadataDocuments.WithClaude();
        await using var server = await OAuthTestServer.StartAsync(services: documents.Register);
        using var connector = new ConnectorDriver(server);

        using var response = await connector.Browser.GetAsync(connector.AuthorizeUrl(FakeMetadataDocuments.ClaudeClientId, Pkce.Create()) + "&prompt=none");

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.StartsWith(ConnectorDriver.ClaudeCallback, response.Headers.Location!.ToString());
        Assert.Equal("login_required", ConnectorDriver.Query(response.Headers.Location!)["error"]);
    }

    [Fact]
    public async Task Deny_ForADynamicallyRegisteredClient_RedirectsWithAccessDenied()
    {
        await using var server = await OAuthTestServer.StartAsync();
        await server.CreateUserAsync("alice");
        using var connector = new ConnectorDriver(server);
        var clientId = await connector.RegisterAsync(redirectUri: Evil);
        await RedirectUriAttackTests.SignInAsync(connector);
        using var consent = await connector.Browser.GetAsync(connector.AuthorizeUrl(clientId, Pkce.Create(), redirectUri: Evil));

        var redirect = await connector.AllowAsync(await consent.Content.ReadAsStringAsync(), answer: "deny");

        Assert.StartsWith(Evil, redirect.ToString());
        Assert.Equal("access_denied", ConnectorDriver.Query(redirect)["error"]);
    }
}
