using System.Net;

namespace Mnemo.Server.Tests.OAuth;

/// <summary>
/// What the consent page shows must be what is true: the app's own name cannot pass for Mnemo's verdict, and the
/// address the person is sent to is written so that a look-alike cannot hide.
/// </summary>
public sealed class ConsentSpoofingTests
{
    private static async Task<string> ConsentPageAsync(ConnectorDriver connector, string clientId, string redirectUri = ConnectorDriver.ClaudeCallback)
    {
        await RedirectUriAttackTests.SignInAsync(connector);
        using var consent = await connector.Browser.GetAsync(connector.AuthorizeUrl(clientId, Pkce.Create(), redirectUri: redirectUri));
        Assert.Equal(HttpStatusCode.OK, consent.StatusCode);
        return WebUtility.HtmlDecode(await consent.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Consent_ClientNameWithBidiOverrideAndZeroWidthCharacters_IsShownWithoutThem_AndMarkedUnverified()
    {
        await using var server = await OAuthTestServer.StartAsync();
        await server.CreateUserAsync("alice");
        using var connector = new ConnectorDriver(server);
        var clientId = await connector.RegisterAsync(name: "Claude (verified: claude.ai)\u202E\u200B\u2066 ppa");

        var html = await ConsentPageAsync(connector, clientId);

        Assert.DoesNotContain('\u202E', html);
        Assert.DoesNotContain('\u200B', html);
        Assert.DoesNotContain('\u2066', html);
        Assert.Contains("Claude (verified: claude.ai) ppa", html);
        Assert.Contains("unverified: it registered itself", html);
        Assert.DoesNotContain("Allow Claude", html);
    }

    [Fact]
    public async Task Consent_ClientNameOfThousandsOfCharacters_IsCapped()
    {
        await using var server = await OAuthTestServer.StartAsync();
        await server.CreateUserAsync("alice");
        using var connector = new ConnectorDriver(server);
        var clientId = await connector.RegisterAsync(name: "Claude" + new string('x', 5_000));

        var html = await ConsentPageAsync(connector, clientId);

        Assert.Contains("Claude" + new string('x', 94), html);
        Assert.DoesNotContain("Claude" + new string('x', 95), html);
    }

    [Fact]
    public async Task Consent_PrivateUseSchemeRedirect_IsShownWhole()
    {
        const string redirect = "com.example.app://attacker.example/oauth/cb";
        await using var server = await OAuthTestServer.StartAsync();
        await server.CreateUserAsync("alice");
        using var connector = new ConnectorDriver(server);
        var clientId = await connector.RegisterAsync(redirectUri: redirect);

        var html = await ConsentPageAsync(connector, clientId, redirect);

        Assert.Contains("<code>com.example.app://attacker.example/oauth/cb</code>", html);
    }

    [Fact]
    public async Task Consent_NonAsciiRedirectHost_IsShownWithItsPunycodeBesideIt()
    {
        // "аpple.example" with a Cyrillic а: in Unicode it reads as apple.example.
        const string redirect = "https://\u0430pple.example/cb";
        await using var server = await OAuthTestServer.StartAsync();
        await server.CreateUserAsync("alice");
        using var connector = new ConnectorDriver(server);
        var clientId = await connector.RegisterAsync(redirectUri: redirect);

        var html = await ConsentPageAsync(connector, clientId, redirect);

        Assert.Contains("https://\u0430pple.example (xn--pple-43d.example)", html);
    }

    [Theory]
    [InlineData("x-safari-https://attacker.example/cb")]
    [InlineData("myapp://callback")]
    public async Task Register_RefusesPrivateUseSchemes_OutsideRfc8252Shapes(string redirect)
    {
        await using var server = await OAuthTestServer.StartAsync();
        using var connector = new ConnectorDriver(server);

        using var response = await connector.Http.PostAsync("/register", System.Net.Http.Json.JsonContent.Create(new Dictionary<string, object>
        {
            ["client_name"] = "x",
            ["redirect_uris"] = new[] { redirect },
            ["token_endpoint_auth_method"] = "none",
        }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("invalid_redirect_uri", await response.Content.ReadAsStringAsync());
    }
}
