using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mnemo.Server.Tests.Infrastructure;

namespace Mnemo.Server.Tests.OAuth;

/// <summary>The real <c>mnemo</c> executable: <c>mnemo clients</c>, the first-run setup URL, and two server processes on one database.</summary>
public sealed class ProcessTests
{
    private const string PublicUrl = "http://mnemo.example.test";

    [Fact]
    public async Task ClientsAdd_PrintsIdAndSecret_TheClientCompletesAFlow_AndDeleteCutsItOff()
    {
        await using var store = await TestDataStore.CreateAsync("mnemo-clients-");
        var added = await MnemoProcess.RunOnAsync(store, null, "clients", "add",
            "--name", "Claude (custom client)", "--redirect-uri", ConnectorDriver.ClaudeCallback, "--confidential");
        Assert.Equal(0, added.ExitCode);
        var lines = added.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(2, lines.Length);
        var (clientId, secret) = (lines[0], lines[1]);

        var listed = await MnemoProcess.RunOnAsync(store, null, "clients", "list");
        Assert.Contains(clientId, listed.StdOut);
        Assert.DoesNotContain(secret, listed.StdOut);

        string access;
        await using (var server = await OAuthTestServer.StartAsync(store: store))
        {
            await server.CreateUserAsync("alice");
            using var connector = new ConnectorDriver(server);
            var pkce = Pkce.Create();
            var redirect = await connector.AuthorizeAsync(connector.AuthorizeUrl(clientId, pkce), "alice");
            var code = ConnectorDriver.Query(redirect)["code"];

            using (var noSecret = await connector.ExchangeAsync(clientId, code, pkce.Verifier))
            {
                Assert.Equal(HttpStatusCode.Unauthorized, noSecret.StatusCode); // confidential: the secret is required
            }

            var redirect2 = await connector.AuthorizeAsync(connector.AuthorizeUrl(clientId, pkce), "alice");
            using var exchange = await connector.ExchangeAsync(clientId, ConnectorDriver.Query(redirect2)["code"], pkce.Verifier, clientSecret: secret);
            Assert.Equal(HttpStatusCode.OK, exchange.StatusCode);
            access = (await exchange.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString()!;
            using var call = await connector.InitializeAsync(access);
            Assert.Equal(HttpStatusCode.OK, call.StatusCode);

            var deleted = await MnemoProcess.RunOnAsync(store, null, "clients", "delete", clientId);
            Assert.Equal(0, deleted.ExitCode);

            // Deleted by another process: the server sees it within the credential recheck interval (1 s; bound 2 s).
            var deletedAt = System.Diagnostics.Stopwatch.StartNew();
            HttpStatusCode afterDelete;
            do
            {
                using var call2 = await connector.InitializeAsync(access);
                afterDelete = call2.StatusCode;
            }
            while (afterDelete == HttpStatusCode.OK && deletedAt.Elapsed < TimeSpan.FromSeconds(2));
            Assert.Equal(HttpStatusCode.Unauthorized, afterDelete);
            using var tokenAfterDelete = await connector.ExchangeAsync(clientId, "any", pkce.Verifier, clientSecret: secret);
            Assert.Equal(HttpStatusCode.Unauthorized, tokenAfterDelete.StatusCode);
            Assert.Equal("invalid_client", (await tokenAfterDelete.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
        }
    }

    [Fact]
    public async Task ClientsAdd_RefusesAnUnsafeRedirectUri_WithExitCode1()
    {
        await using var store = await TestDataStore.CreateAsync("mnemo-clients-");

        var result = await MnemoProcess.RunOnAsync(store, null, "clients", "add", "--name", "x", "--redirect-uri", "http://evil.example/cb");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("", result.StdOut.Trim());
        Assert.Contains("http", result.StdErr);
    }

    [Fact]
    public async Task Serve_PrintsAOneTimeSetupUrl_WhenNoAccountExists_AndTheLinkCreatesTheFirstAccount()
    {
        await using var store = await TestDataStore.CreateAsync("mnemo-setup-");
        await using var server = await MnemoProcess.StartServerAsync(store);
        var setupUrl = await WaitForSetupUrlAsync(server);
        Assert.StartsWith(server.BaseUrl.GetLeftPart(UriPartial.Authority) + "/setup?token=", setupUrl);

        using var browser = new BrowserSession(server.BaseUrl);
        using var page = await browser.GetAsync(setupUrl);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var form = BrowserSession.FormFields(await page.Content.ReadAsStringAsync());
        form["userName"] = "owner";
        form["password"] = "a long enough password";
        using var created = await browser.PostFormAsync("/setup", form);
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        Assert.Contains("Your account is ready", await created.Content.ReadAsStringAsync());
        using (var account = await browser.GetAsync("/account"))
        {
            Assert.Equal(HttpStatusCode.OK, account.StatusCode); // the setup session carries the security stamp
        }

        using var again = await new BrowserSession(server.BaseUrl).GetAsync(setupUrl);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        using var wrongToken = await new BrowserSession(server.BaseUrl).GetAsync("/setup?token=guess");
        Assert.Equal(HttpStatusCode.NotFound, wrongToken.StatusCode);
    }

    [Fact]
    public async Task TwoServerProcesses_OnOneDatabase_BehindOnePublicUrl_AcceptEachOthersCodesAndTokens()
    {
        await using var store = await TestDataStore.CreateAsync("mnemo-two-processes-");
        var add = await MnemoProcess.RunOnAsync(store, "correct horse battery staple\n", "users", "add", "alice", "--password-stdin");
        Assert.Equal(0, add.ExitCode);
        await using var a = await MnemoProcess.StartServerAsync(store, $"--Mnemo:PublicUrl={PublicUrl}");
        await using var b = await MnemoProcess.StartServerAsync(store, $"--Mnemo:PublicUrl={PublicUrl}");
        using var viaA = new ConnectorDriver(a.BaseUrl, PublicUrl);
        using var viaB = new ConnectorDriver(b.BaseUrl, PublicUrl, viaA.Browser.Cookies);

        // Registered on A, authorized through B, signed in on A, consent on B, code redeemed on A.
        var clientId = await viaA.RegisterAsync();
        var pkce = Pkce.Create();
        using var authorize = await viaB.Browser.GetAsync(viaB.AuthorizeUrl(clientId, pkce));
        Assert.Equal(HttpStatusCode.Found, authorize.StatusCode);
        using var signedIn = await viaA.SignInAsync(authorize.Headers.Location!.ToString(), "alice");
        Assert.Equal(HttpStatusCode.Found, signedIn.StatusCode);
        using var consent = await viaB.Browser.GetAsync(signedIn.Headers.Location!.ToString());
        Assert.Equal(HttpStatusCode.OK, consent.StatusCode);
        var redirect = await viaA.AllowAsync(await consent.Content.ReadAsStringAsync());
        var query = ConnectorDriver.Query(redirect);
        Assert.Equal(PublicUrl, query["iss"]);
        using var exchange = await viaB.ExchangeAsync(clientId, query["code"], pkce.Verifier);
        Assert.Equal(HttpStatusCode.OK, exchange.StatusCode);
        var tokens = await exchange.Content.ReadFromJsonAsync<JsonElement>();
        var access = tokens.GetProperty("access_token").GetString()!;

        foreach (var instance in new[] { viaA, viaB })
        {
            using var call = await instance.InitializeAsync(access);
            Assert.Equal(HttpStatusCode.OK, call.StatusCode);
        }

        using var refreshOnA = await viaA.RefreshAsync(clientId, tokens.GetProperty("refresh_token").GetString()!);
        Assert.Equal(HttpStatusCode.OK, refreshOnA.StatusCode);
    }

    private static async Task<string> WaitForSetupUrlAsync(MnemoProcess.ServerProcess server)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            var match = System.Text.RegularExpressions.Regex.Match(server.Output, @"(http://\S+/setup\?token=\S+)");
            if (match.Success)
            {
                return match.Groups[1].Value;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("No setup URL on stdout: " + server.Output);
    }
}
