using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Mnemo.Auth.Storage;

namespace Mnemo.Server.Tests.OAuth;

/// <summary>
/// Password guessing against the real sign-in form. Client addresses come through X-Forwarded-For from the
/// proxy the server trusts (127.0.0.1), as behind a reverse proxy.
/// </summary>
public sealed class SignInThrottleTests
{
    private const string Attacker = "203.0.113.7";
    private const string Owner = "198.51.100.20";

    private static Dictionary<string, string?> BehindProxy(params (string Key, string Value)[] extra)
    {
        var settings = new Dictionary<string, string?> { ["Mnemo:ForwardedHeaders:KnownProxies:0"] = "127.0.0.1" };
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        return settings;
    }

    [Fact]
    public async Task SignIn_With64ParallelWrongPasswords_ChecksNoMorePasswordsThanTheLimit()
    {
        CountingPasswordHasher? hasher = null;
        await using var server = await OAuthTestServer.StartAsync(BehindProxy(), services =>
            services.AddSingleton<IPasswordHasher<UserRecord>>(sp => hasher = new CountingPasswordHasher(sp.GetRequiredService<IOptions<PasswordHasherOptions>>())));
        await server.CreateUserAsync("alice");
        using var browser = new BrowserSession(server.BaseUrl).From(Attacker);
        using var page = await browser.GetAsync("/login");
        var form = BrowserSession.FormFields(await page.Content.ReadAsStringAsync());
        form["userName"] = "alice";
        var checksBefore = hasher!.Checks;

        var responses = await Task.WhenAll(Enumerable.Range(0, 64).Select(i =>
            browser.PostFormAsync("/login", new Dictionary<string, string>(form) { ["password"] = "wrong guess number " + i })));

        Assert.Equal(5, hasher.Checks - checksBefore); // Mnemo:Auth:LoginMaxFailures
        Assert.Equal(5, responses.Count(r => r.StatusCode == HttpStatusCode.BadRequest));
        Assert.Equal(59, responses.Count(r => r.StatusCode == HttpStatusCode.TooManyRequests));
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task SignIn_AfterFiveFailuresFromOneIp_IsLockedForThatIpOnly()
    {
        await using var server = await OAuthTestServer.StartAsync(BehindProxy());
        await server.CreateUserAsync("alice");
        using var attacker = new ConnectorDriver(server);
        attacker.Browser.From(Attacker);
        using var owner = new ConnectorDriver(server);
        owner.Browser.From(Owner);

        for (var i = 0; i < 5; i++)
        {
            using var wrong = await attacker.SignInAsync("/login", "alice", "wrong password attempt");
            Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        }

        using var lockedOut = await attacker.SignInAsync("/login", "alice");
        using var ownerSignIn = await owner.SignInAsync("/login", "alice");

        Assert.Equal(HttpStatusCode.TooManyRequests, lockedOut.StatusCode); // even with the right password
        Assert.True(lockedOut.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal(HttpStatusCode.Found, ownerSignIn.StatusCode);
        Assert.Contains(owner.Browser.Cookies.GetAllCookies(), c => c.Name == "mnemo_session");
    }

    [Fact]
    public async Task SignIn_FromOneIpAcrossManyNames_IsLockedAfterThePerIpLimit()
    {
        await using var server = await OAuthTestServer.StartAsync(BehindProxy(("Mnemo:Auth:LoginMaxFailuresPerIp", "3")));
        await server.CreateUserAsync("alice");
        using var sprayer = new ConnectorDriver(server);
        sprayer.Browser.From(Attacker);

        foreach (var name in new[] { "bob", "carol", "dave" })
        {
            using var wrong = await sprayer.SignInAsync("/login", name, "Summer2026!Summer");
            Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        }

        using var fourth = await sprayer.SignInAsync("/login", "alice", "Summer2026!Summer");

        Assert.Equal(HttpStatusCode.TooManyRequests, fourth.StatusCode);
    }

    /// <summary>
    /// The per-account delay is set to a minute here (its first step: 7.5 s), so the owner's quick answer can
    /// only come from the device-cookie exemption; a new browser is still waiting after a second.
    /// </summary>
    [Fact]
    public async Task SignIn_FromABrowserThatSignedInBefore_SkipsTheAccountDelay()
    {
        await using var server = await OAuthTestServer.StartAsync(BehindProxy(
            ("Mnemo:Auth:LoginMaxFailures", "2"), ("Mnemo:Auth:LoginAccountMaxDelay", "00:01:00")));
        await server.CreateUserAsync("alice");
        using var owner = new ConnectorDriver(server);
        owner.Browser.From(Owner);
        using (var first = await owner.SignInAsync("/login", "alice"))
        {
            Assert.Equal(HttpStatusCode.Found, first.StatusCode);
        }

        using var attacker = new ConnectorDriver(server);
        attacker.Browser.From(Attacker);
        for (var i = 0; i < 2; i++)
        {
            using var wrong = await attacker.SignInAsync("/login", "alice", "wrong password attempt");
            Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        }

        // Control: a browser that never signed in to alice, from yet another address, is held back.
        using var stranger = new ConnectorDriver(server);
        stranger.Browser.From("192.0.2.99");
        var strangerSignIn = stranger.SignInAsync("/login", "alice");
        Assert.NotSame(strangerSignIn, await Task.WhenAny(strangerSignIn, Task.Delay(TimeSpan.FromSeconds(1))));

        // The owner, from a new address (a phone on another network), with the device cookie.
        owner.Browser.From("198.51.100.77");
        var ownerSignIn = owner.SignInAsync("/login", "alice");
        Assert.Same(ownerSignIn, await Task.WhenAny(ownerSignIn, Task.Delay(TimeSpan.FromSeconds(5))));

        using var again = await ownerSignIn;
        Assert.Equal(HttpStatusCode.Found, again.StatusCode);
        stranger.Dispose(); // abandons the held-back request
        await Assert.ThrowsAnyAsync<Exception>(() => strangerSignIn);
    }

    [Fact]
    public async Task SignIn_SetsALongLivedHttpOnlyLaxDeviceCookie_SecureOverHttps()
    {
        await using var server = await OAuthTestServer.StartAsync(BehindProxy());
        await server.CreateUserAsync("alice");
        using var browser = new BrowserSession(server.BaseUrl).From(Owner);
        using var page = await browser.GetAsync("/login");
        var form = BrowserSession.FormFields(await page.Content.ReadAsStringAsync());
        form["userName"] = "alice";
        form["password"] = OAuthTestServer.Password;

        browser.From(Owner, "https"); // TLS ended at the proxy
        using var signedIn = await browser.PostFormAsync("/login", form);

        Assert.Equal(HttpStatusCode.Found, signedIn.StatusCode);
        var device = signedIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("mnemo_device=", StringComparison.Ordinal)).ToLowerInvariant();
        Assert.Contains("; httponly", device);
        Assert.Contains("; samesite=lax", device);
        Assert.Contains("; secure", device);
        var expires = DateTimeOffset.Parse(device.Split("expires=")[1].Split(';')[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(expires > DateTimeOffset.UtcNow.AddDays(365));
    }

    [Fact]
    public async Task SignIn_OverPlainHttpInLocalMode_SetsADeviceCookieWithoutSecure()
    {
        await using var server = await OAuthTestServer.StartAsync();
        await server.CreateUserAsync("alice");
        using var browser = new ConnectorDriver(server);

        using var signedIn = await browser.SignInAsync("/login", "alice");

        var device = signedIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("mnemo_device=", StringComparison.Ordinal)).ToLowerInvariant();
        Assert.DoesNotContain("; secure", device);
        Assert.Contains(browser.Browser.Cookies.GetAllCookies(), c => c.Name == "mnemo_device");
    }

    [Fact]
    public async Task SignIn_WithAWrongPassword_SetsNoDeviceCookie()
    {
        await using var server = await OAuthTestServer.StartAsync();
        await server.CreateUserAsync("alice");
        using var browser = new ConnectorDriver(server);

        using var wrong = await browser.SignInAsync("/login", "alice", "wrong password attempt");

        Assert.DoesNotContain(browser.Browser.Cookies.GetAllCookies(), c => c.Name == "mnemo_device");
    }
}
