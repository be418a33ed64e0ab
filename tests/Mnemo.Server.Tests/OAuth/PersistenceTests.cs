using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mnemo.Server.Tests.Infrastructure;

namespace Mnemo.Server.Tests.OAuth;

/// <summary>
/// All OAuth state lives in the database: tokens survive a restart, and two instances on one database
/// behind one public URL accept each other's sessions, anti-forgery tokens, codes and tokens.
/// </summary>
public sealed class PersistenceTests
{
    private static Dictionary<string, string?> PublicUrl() => new() { ["Mnemo:PublicUrl"] = "http://mnemo.example.test" };

    [Fact]
    public async Task TokensIssuedBeforeARestart_WorkAfterIt()
    {
        await using var store = await TestDataStore.CreateAsync("mnemo-restart-");
        string clientId;
        JsonElement tokens;
        await using (var before = await OAuthTestServer.StartAsync(PublicUrl(), store: store))
        {
            await before.CreateUserAsync("alice");
            using var connector = new ConnectorDriver(before);
            (clientId, tokens) = await connector.ConnectAsync("alice");
        }

        await using var after = await OAuthTestServer.StartAsync(PublicUrl(), store: store);
        using var again = new ConnectorDriver(after);

        using var call = await again.InitializeAsync(tokens.GetProperty("access_token").GetString()!);
        Assert.Equal(HttpStatusCode.OK, call.StatusCode);
        using var refresh = await again.RefreshAsync(clientId, tokens.GetProperty("refresh_token").GetString()!);
        Assert.Equal(HttpStatusCode.OK, refresh.StatusCode);
        using var refreshedCall = await again.InitializeAsync((await refresh.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString()!);
        Assert.Equal(HttpStatusCode.OK, refreshedCall.StatusCode);
    }

    [Fact]
    public async Task TwoInstancesOnOneDatabase_AcceptEachOthersSessionsCodesAndTokens()
    {
        await using var store = await TestDataStore.CreateAsync("mnemo-two-");
        await using var a = await OAuthTestServer.StartAsync(PublicUrl(), store: store);
        await using var b = await OAuthTestServer.StartAsync(PublicUrl(), store: store);
        await a.CreateUserAsync("alice");
        using var viaA = new ConnectorDriver(a);
        using var viaB = new ConnectorDriver(b, viaA.Browser.Cookies); // one browser, a load balancer alternating

        var clientId = await viaA.RegisterAsync();
        var pkce = Pkce.Create();
        using var authorize = await viaB.Browser.GetAsync(viaB.AuthorizeUrl(clientId, pkce));        // B: client registered on A
        Assert.Equal(HttpStatusCode.Found, authorize.StatusCode);
        using var loginPage = await viaA.Browser.GetAsync(authorize.Headers.Location!.ToString());    // A: anti-forgery token
        var loginForm = BrowserSession.FormFields(await loginPage.Content.ReadAsStringAsync());
        loginForm["userName"] = "alice";
        loginForm["password"] = OAuthTestServer.Password;
        using var signedIn = await viaB.Browser.PostFormAsync("/login", loginForm);                  // B validates A's token
        Assert.Equal(HttpStatusCode.Found, signedIn.StatusCode);
        using var consent = await viaA.Browser.GetAsync(signedIn.Headers.Location!.ToString());       // A reads B's session cookie
        Assert.Equal(HttpStatusCode.OK, consent.StatusCode);
        var redirect = await viaB.AllowAsync(await consent.Content.ReadAsStringAsync());              // B issues the code
        var query = ConnectorDriver.Query(redirect);
        Assert.Equal("http://mnemo.example.test", query["iss"]);

        using var exchange = await viaA.ExchangeAsync(clientId, query["code"], pkce.Verifier);       // A redeems B's code
        Assert.Equal(HttpStatusCode.OK, exchange.StatusCode);
        var tokens = await exchange.Content.ReadFromJsonAsync<JsonElement>();
        var access = tokens.GetProperty("access_token").GetString()!;

        using (var onA = await viaA.InitializeAsync(access))
        {
            Assert.Equal(HttpStatusCode.OK, onA.StatusCode);
        }

        using (var onB = await viaB.InitializeAsync(access))
        {
            Assert.Equal(HttpStatusCode.OK, onB.StatusCode);
        }

        using var refreshOnB = await viaB.RefreshAsync(clientId, tokens.GetProperty("refresh_token").GetString()!);
        Assert.Equal(HttpStatusCode.OK, refreshOnB.StatusCode);

        // Revocation on one instance is seen by the other at once.
        using var revoke = await viaB.RevokeAsync(clientId, (await refreshOnB.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("refresh_token").GetString()!);
        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        using var afterRevoke = await viaA.InitializeAsync(access);
        Assert.Equal(HttpStatusCode.Unauthorized, afterRevoke.StatusCode);
    }
}
