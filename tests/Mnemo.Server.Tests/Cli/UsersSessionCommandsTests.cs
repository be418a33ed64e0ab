using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Mnemo.Auth.Accounts;
using Mnemo.Server.Tests.Infrastructure;
using Mnemo.Server.Tests.OAuth;

namespace Mnemo.Server.Tests.Cli;

/// <summary><c>mnemo users password|sign-out</c> run by the owner while the server runs: browser sessions end at once.</summary>
public sealed class UsersSessionCommandsTests : IAsyncLifetime
{
    private const string NewPassword = "a completely new passphrase";

    private TestDataStore _store = null!;

    public async Task InitializeAsync() => _store = await TestDataStore.CreateAsync("mnemo-cli-sessions-");

    public async Task DisposeAsync() => await _store.DisposeAsync();

    [Fact]
    public async Task UsersSignOut_EndsTheBrowserSessionsOfTheRunningServer()
    {
        await using var server = await OAuthTestServer.StartAsync(store: _store);
        await server.CreateUserAsync("alice");
        using var browser = new BrowserSession(server.BaseUrl);
        await AccountPage.SignInAsync(browser, "alice");
        var session = AccountPage.SessionCookie(browser);

        var signedOut = await MnemoProcess.RunOnAsync(_store, null, "users", "sign-out", "alice");

        Assert.Equal(0, signedOut.ExitCode);
        Assert.Equal("", signedOut.StdOut);
        Assert.Equal(HttpStatusCode.Found, await AccountPage.ReplayAsync(server.BaseUrl, session));
        await AccountPage.SignInAsync(browser, "alice"); // the password still works
    }

    [Fact]
    public async Task UsersPassword_ReadsTheNewPasswordFromStdin_AndEndsTheBrowserSessions()
    {
        await using var server = await OAuthTestServer.StartAsync(store: _store);
        await server.CreateUserAsync("alice");
        using var browser = new BrowserSession(server.BaseUrl);
        await AccountPage.SignInAsync(browser, "alice");
        var session = AccountPage.SessionCookie(browser);

        var changed = await MnemoProcess.RunOnAsync(_store, NewPassword + "\n", "users", "password", "alice");

        Assert.Equal(0, changed.ExitCode);
        Assert.DoesNotContain(NewPassword, changed.StdOut + changed.StdErr);
        Assert.Equal(HttpStatusCode.Found, await AccountPage.ReplayAsync(server.BaseUrl, session));
        await using var scope = server.Services.CreateAsyncScope();
        var accounts = scope.ServiceProvider.GetRequiredService<IAccountService>();
        Assert.NotNull(await accounts.VerifyPasswordAsync("alice", NewPassword));
        Assert.Null(await accounts.VerifyPasswordAsync("alice", OAuthTestServer.Password));
    }

    [Fact]
    public async Task UsersPassword_WithATooShortPassword_FailsWithExit1AndChangesNothing()
    {
        Assert.Equal(0, (await MnemoProcess.RunOnAsync(_store, OAuthTestServer.Password + "\n", "users", "add", "alice", "--password-stdin")).ExitCode);

        var changed = await MnemoProcess.RunOnAsync(_store, "short\n", "users", "password", "alice");

        Assert.Equal(1, changed.ExitCode);
        Assert.Contains("at least 12 characters", changed.StdErr);
        await using var server = await OAuthTestServer.StartAsync(store: _store);
        await using var scope = server.Services.CreateAsyncScope();
        Assert.NotNull(await scope.ServiceProvider.GetRequiredService<IAccountService>().VerifyPasswordAsync("alice", OAuthTestServer.Password));
    }

    [Fact]
    public async Task UsersPasswordAndSignOut_ForAnUnknownUser_FailWithExit1()
    {
        var password = await MnemoProcess.RunOnAsync(_store, NewPassword + "\n", "users", "password", "ghost");
        var signOut = await MnemoProcess.RunOnAsync(_store, null, "users", "sign-out", "ghost");

        Assert.Equal(1, password.ExitCode);
        Assert.Contains("No user named 'ghost'", password.StdErr);
        Assert.Equal(1, signOut.ExitCode);
        Assert.Contains("No user named 'ghost'", signOut.StdErr);
    }

    [Fact]
    public async Task UsersPassword_RefusesAPasswordGivenAsAnArgument()
    {
        Assert.Equal(0, (await MnemoProcess.RunOnAsync(_store, null, "users", "add", "alice")).ExitCode);

        var changed = await MnemoProcess.RunOnAsync(_store, null, "users", "password", "alice", NewPassword);

        Assert.Equal(2, changed.ExitCode); // usage error: arguments are visible to every local user in ps
        Assert.Contains("standard input", changed.StdErr);
    }
}
