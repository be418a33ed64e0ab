using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Mnemo.Auth.Accounts;
using Mnemo.Auth.ApiKeys;

namespace Mnemo.Server.Tests.OAuth;

/// <summary>
/// Browser sessions end when they should: sign out, sign out everywhere, a password change, a disabled
/// account — and OAuth grants and API keys survive everything but disabling.
/// </summary>
public sealed class AccountSessionTests
{
    private const string NewPassword = "a completely new passphrase";

    [Fact]
    public async Task AccountPage_WithoutASession_SendsThePersonToSignIn()
    {
        await using var server = await OAuthTestServer.StartAsync();
        using var browser = new BrowserSession(server.BaseUrl);

        using var response = await browser.GetAsync("/account");

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.StartsWith("/login?ReturnUrl=%2Faccount", response.Headers.Location!.PathAndQuery);
    }

    [Fact]
    public async Task AccountPage_AfterSignIn_ShowsTheUserWithTheSecurePageHeaders()
    {
        await using var server = await OAuthTestServer.StartAsync();
        await server.CreateUserAsync("alice");
        using var browser = new BrowserSession(server.BaseUrl);
        await AccountPage.SignInAsync(browser, "alice");

        using var page = await browser.GetAsync("/account");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("Signed in as alice", await page.Content.ReadAsStringAsync());
        Assert.Contains("frame-ancestors 'none'", page.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal("DENY", page.Headers.GetValues("X-Frame-Options").Single());
        Assert.True(page.Headers.CacheControl?.NoStore);
    }

    [Fact]
    public async Task SignIn_WithoutAReturnUrl_LandsOnTheAccountPage()
    {
        await using var server = await OAuthTestServer.StartAsync();
        await server.CreateUserAsync("alice");
        using var browser = new ConnectorDriver(server);

        using var signedIn = await browser.SignInAsync("/login", "alice");

        Assert.Equal("/account", signedIn.Headers.Location!.ToString());
    }

    [Fact]
    public async Task SignOut_EndsThisBrowsersSession()
    {
        await using var server = await OAuthTestServer.StartAsync();
        await server.CreateUserAsync("alice");
        using var browser = new BrowserSession(server.BaseUrl);
        await AccountPage.SignInAsync(browser, "alice");

        using var signedOut = await AccountPage.PostAsync(browser, "SignOut");
        using var after = await browser.GetAsync("/account");

        Assert.Equal(HttpStatusCode.Found, signedOut.StatusCode);
        Assert.Equal("/login", signedOut.Headers.Location!.ToString());
        Assert.Equal(HttpStatusCode.Found, after.StatusCode); // to /login
    }

    [Fact]
    public async Task SignOut_WithoutTheAntiForgeryToken_IsRefusedAndChangesNothing()
    {
        await using var server = await OAuthTestServer.StartAsync();
        await server.CreateUserAsync("alice");
        using var browser = new BrowserSession(server.BaseUrl);
        await AccountPage.SignInAsync(browser, "alice");

        using var forged = await browser.PostFormAsync("/account?handler=SignOutEverywhere", []);
        using var after = await browser.GetAsync("/account");

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task OldCookie_AfterSignOutEverywhere_IsRejected_OnEveryBrowser()
    {
        await using var server = await OAuthTestServer.StartAsync();
        await server.CreateUserAsync("alice");
        using var laptop = new BrowserSession(server.BaseUrl);
        using var phone = new BrowserSession(server.BaseUrl);
        await AccountPage.SignInAsync(laptop, "alice");
        await AccountPage.SignInAsync(phone, "alice");
        var laptopCookie = AccountPage.SessionCookie(laptop);
        var phoneCookie = AccountPage.SessionCookie(phone);
        Assert.Equal(HttpStatusCode.OK, await AccountPage.ReplayAsync(server.BaseUrl, phoneCookie));

        using var everywhere = await AccountPage.PostAsync(laptop, "SignOutEverywhere");

        Assert.Equal(HttpStatusCode.Found, everywhere.StatusCode);
        Assert.Equal(HttpStatusCode.Found, await AccountPage.ReplayAsync(server.BaseUrl, phoneCookie));
        Assert.Equal(HttpStatusCode.Found, await AccountPage.ReplayAsync(server.BaseUrl, laptopCookie));
    }

    [Fact]
    public async Task OldCookie_AfterAPasswordChange_IsRejected_WhileTheChangingBrowserStaysSignedIn()
    {
        await using var server = await OAuthTestServer.StartAsync();
        await server.CreateUserAsync("alice");
        using var laptop = new BrowserSession(server.BaseUrl);
        using var phone = new BrowserSession(server.BaseUrl);
        await AccountPage.SignInAsync(laptop, "alice");
        await AccountPage.SignInAsync(phone, "alice");
        var phoneCookie = AccountPage.SessionCookie(phone);

        using var changed = await AccountPage.ChangePasswordAsync(laptop, OAuthTestServer.Password, NewPassword);

        Assert.Equal(HttpStatusCode.Found, changed.StatusCode);
        Assert.Equal("/account?done=password", changed.Headers.Location!.ToString());
        using (var laptopAfter = await laptop.GetAsync("/account"))
        {
            Assert.Equal(HttpStatusCode.OK, laptopAfter.StatusCode);
        }

        Assert.Equal(HttpStatusCode.Found, await AccountPage.ReplayAsync(server.BaseUrl, phoneCookie));
        await using var scope = server.Services.CreateAsyncScope();
        var accounts = scope.ServiceProvider.GetRequiredService<IAccountService>();
        Assert.Null(await accounts.VerifyPasswordAsync("alice", OAuthTestServer.Password));
        Assert.NotNull(await accounts.VerifyPasswordAsync("alice", NewPassword));
    }

    [Fact]
    public async Task ChangePassword_WithAWrongCurrentPassword_ChangesNothing()
    {
        await using var server = await OAuthTestServer.StartAsync();
        await server.CreateUserAsync("alice");
        using var browser = new BrowserSession(server.BaseUrl);
        await AccountPage.SignInAsync(browser, "alice");
        var cookie = AccountPage.SessionCookie(browser);

        using var refused = await AccountPage.ChangePasswordAsync(browser, "not the current password", NewPassword);

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("current password is wrong", await refused.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, await AccountPage.ReplayAsync(server.BaseUrl, cookie));
        await using var scope = server.Services.CreateAsyncScope();
        Assert.NotNull(await scope.ServiceProvider.GetRequiredService<IAccountService>().VerifyPasswordAsync("alice", OAuthTestServer.Password));
    }

    [Fact]
    public async Task ChangePassword_WithATooShortNewPassword_SaysTheRule()
    {
        await using var server = await OAuthTestServer.StartAsync();
        await server.CreateUserAsync("alice");
        using var browser = new BrowserSession(server.BaseUrl);
        await AccountPage.SignInAsync(browser, "alice");

        using var refused = await AccountPage.ChangePasswordAsync(browser, OAuthTestServer.Password, "short");

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("at least 12 characters", await refused.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ChangePassword_AfterFiveWrongCurrentPasswords_IsLockedLikeTheSignInForm()
    {
        await using var server = await OAuthTestServer.StartAsync();
        await server.CreateUserAsync("alice");
        using var browser = new BrowserSession(server.BaseUrl);
        await AccountPage.SignInAsync(browser, "alice");
        for (var i = 0; i < 5; i++)
        {
            using var wrong = await AccountPage.ChangePasswordAsync(browser, "guess number " + i, NewPassword);
            Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        }

        using var locked = await AccountPage.ChangePasswordAsync(browser, OAuthTestServer.Password, NewPassword);

        Assert.Equal(HttpStatusCode.TooManyRequests, locked.StatusCode);
    }

    [Fact]
    public async Task RefreshTokenAccessTokenAndApiKey_AfterAPasswordChange_KeepWorking()
    {
        await using var server = await OAuthTestServer.StartAsync();
        await server.CreateUserAsync("alice");
        using var claude = new ConnectorDriver(server);
        var (clientId, tokens) = await claude.ConnectAsync("alice");
        var apiKey = await CreateApiKeyAsync(server, "alice");

        using (var changed = await AccountPage.ChangePasswordAsync(claude.Browser, OAuthTestServer.Password, NewPassword))
        {
            Assert.Equal(HttpStatusCode.Found, changed.StatusCode);
        }

        using var refreshed = await claude.RefreshAsync(clientId, tokens.GetProperty("refresh_token").GetString()!);
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        var newAccess = (await refreshed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString();
        using var withOldAccess = await claude.InitializeAsync(tokens.GetProperty("access_token").GetString());
        using var withNewAccess = await claude.InitializeAsync(newAccess);
        using var withKey = await claude.InitializeAsync(apiKey);
        Assert.Equal(HttpStatusCode.OK, withOldAccess.StatusCode);
        Assert.Equal(HttpStatusCode.OK, withNewAccess.StatusCode);
        Assert.Equal(HttpStatusCode.OK, withKey.StatusCode);
    }

    [Fact]
    public async Task RefreshTokenAndApiKey_AfterSignOutEverywhere_KeepWorking()
    {
        await using var server = await OAuthTestServer.StartAsync();
        await server.CreateUserAsync("alice");
        using var claude = new ConnectorDriver(server);
        var (clientId, tokens) = await claude.ConnectAsync("alice");
        var apiKey = await CreateApiKeyAsync(server, "alice");

        using (var everywhere = await AccountPage.PostAsync(claude.Browser, "SignOutEverywhere"))
        {
            Assert.Equal(HttpStatusCode.Found, everywhere.StatusCode);
        }

        using var refreshed = await claude.RefreshAsync(clientId, tokens.GetProperty("refresh_token").GetString()!);
        using var withKey = await claude.InitializeAsync(apiKey);
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, withKey.StatusCode);
    }

    [Fact]
    public async Task DisablingTheAccount_EndsItsSessions_RefusesItsRefreshAndAccessTokens_AndItsApiKeys()
    {
        await using var server = await OAuthTestServer.StartAsync();
        await server.CreateUserAsync("alice");
        using var claude = new ConnectorDriver(server);
        var (clientId, tokens) = await claude.ConnectAsync("alice");
        var apiKey = await CreateApiKeyAsync(server, "alice");
        var session = AccountPage.SessionCookie(claude.Browser);
        Assert.Equal(HttpStatusCode.OK, await AccountPage.ReplayAsync(server.BaseUrl, session));

        await using (var scope = server.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<IAccountService>().DisableAsync("alice");
        }

        Assert.Equal(HttpStatusCode.Found, await AccountPage.ReplayAsync(server.BaseUrl, session));
        using var refreshed = await claude.RefreshAsync(clientId, tokens.GetProperty("refresh_token").GetString()!);
        using var withAccess = await claude.InitializeAsync(tokens.GetProperty("access_token").GetString());
        using var withKey = await claude.InitializeAsync(apiKey);
        Assert.Equal(HttpStatusCode.BadRequest, refreshed.StatusCode);
        Assert.Equal("invalid_grant", (await refreshed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, withAccess.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, withKey.StatusCode);
    }

    [Fact]
    public async Task DisablingAndEnablingTheAccount_DoesNotBringOldSessionsBack()
    {
        await using var server = await OAuthTestServer.StartAsync();
        await server.CreateUserAsync("alice");
        using var browser = new BrowserSession(server.BaseUrl);
        await AccountPage.SignInAsync(browser, "alice");
        var session = AccountPage.SessionCookie(browser);

        await using (var scope = server.Services.CreateAsyncScope())
        {
            var accounts = scope.ServiceProvider.GetRequiredService<IAccountService>();
            await accounts.DisableAsync("alice");
            await accounts.EnableAsync("alice");
        }

        Assert.Equal(HttpStatusCode.Found, await AccountPage.ReplayAsync(server.BaseUrl, session));
    }

    [Fact]
    public async Task DeletingTheAccount_EndsItsSessions()
    {
        await using var server = await OAuthTestServer.StartAsync();
        await server.CreateUserAsync("alice");
        using var browser = new BrowserSession(server.BaseUrl);
        await AccountPage.SignInAsync(browser, "alice");
        var session = AccountPage.SessionCookie(browser);

        await using (var scope = server.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<IAccountService>().DeleteAsync("alice");
        }

        Assert.Equal(HttpStatusCode.Found, await AccountPage.ReplayAsync(server.BaseUrl, session));
    }

    private static async Task<string> CreateApiKeyAsync(OAuthTestServer server, string userName)
    {
        await using var scope = server.Services.CreateAsyncScope();
        return (await scope.ServiceProvider.GetRequiredService<IApiKeyService>().CreateAsync(userName, "laptop")).Secret;
    }
}
