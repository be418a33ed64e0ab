using Microsoft.EntityFrameworkCore;
using Mnemo.Auth.Accounts;

namespace Mnemo.Auth.Tests.Accounts;

/// <summary>The security stamp every browser session is bound to, and the operations that renew it.</summary>
public sealed class AccountSessionTests
{
    private const string Password = "correct horse battery";
    private const string NewPassword = "a completely new passphrase";

    private static Task<string> StampAsync(AuthTestDatabase db, string userName) =>
        db.DbAsync(d => d.Users.Where(u => u.UserName == userName).Select(u => u.SecurityStamp).SingleAsync());

    [Fact]
    public async Task Create_GivesEveryAccountItsOwnRandomStamp()
    {
        await using var db = await AuthTestDatabase.CreateAsync();
        await db.AccountsAsync(a => a.CreateAsync("alice", null, Password));
        await db.AccountsAsync(a => a.CreateAsync("bob", null, Password));

        var alice = await StampAsync(db, "alice");

        Assert.Matches("^[0-9a-f]{32}$", alice);
        Assert.NotEqual(alice, await StampAsync(db, "bob"));
    }

    [Fact]
    public async Task SignIn_ReturnsTheAccountWithItsCurrentStamp()
    {
        await using var db = await AuthTestDatabase.CreateAsync();
        await db.AccountsAsync(a => a.CreateAsync("alice", null, Password));

        var session = await db.AccountsAsync(a => a.SignInAsync("alice", Password));

        Assert.Equal(await StampAsync(db, "alice"), session?.SecurityStamp);
        Assert.Equal(session, await db.AccountsAsync(a => a.FindSessionAsync(session!.Account.Id)));
    }

    [Fact]
    public async Task SetPassword_RenewsTheStamp()
    {
        await using var db = await AuthTestDatabase.CreateAsync();
        await db.AccountsAsync(a => a.CreateAsync("alice", null, Password));
        var before = await StampAsync(db, "alice");

        await db.AccountsAsync(async a => { await a.SetPasswordAsync("alice", NewPassword); return 0; });

        Assert.NotEqual(before, await StampAsync(db, "alice"));
    }

    [Fact]
    public async Task SignOutEverywhere_RenewsTheStamp_AndKeepsThePassword()
    {
        await using var db = await AuthTestDatabase.CreateAsync();
        await db.AccountsAsync(a => a.CreateAsync("alice", null, Password));
        var before = await StampAsync(db, "alice");

        await db.AccountsAsync(a => a.SignOutEverywhereAsync("alice"));

        Assert.NotEqual(before, await StampAsync(db, "alice"));
        Assert.NotNull(await db.AccountsAsync(a => a.VerifyPasswordAsync("alice", Password)));
    }

    [Fact]
    public async Task Disable_RenewsTheStamp_AndLeavesNoSession()
    {
        await using var db = await AuthTestDatabase.CreateAsync();
        var alice = await db.AccountsAsync(a => a.CreateAsync("alice", null, Password));
        var before = await StampAsync(db, "alice");

        await db.AccountsAsync(a => a.DisableAsync("alice"));

        Assert.NotEqual(before, await StampAsync(db, "alice"));
        Assert.Null(await db.AccountsAsync(a => a.FindSessionAsync(alice.Id)));
    }

    [Fact]
    public async Task ChangePassword_WithTheCurrentPassword_ReturnsTheNewStamp()
    {
        await using var db = await AuthTestDatabase.CreateAsync();
        var alice = await db.AccountsAsync(a => a.CreateAsync("alice", null, Password));
        var before = await StampAsync(db, "alice");

        var session = await db.AccountsAsync(a => a.ChangePasswordAsync(alice.Id, Password, NewPassword));

        Assert.NotEqual(before, session.SecurityStamp);
        Assert.Equal(await StampAsync(db, "alice"), session.SecurityStamp);
        Assert.NotNull(await db.AccountsAsync(a => a.VerifyPasswordAsync("alice", NewPassword)));
    }

    [Fact]
    public async Task ChangePassword_WithAWrongCurrentPassword_ThrowsAndChangesNothing()
    {
        await using var db = await AuthTestDatabase.CreateAsync();
        var alice = await db.AccountsAsync(a => a.CreateAsync("alice", null, Password));
        var before = await StampAsync(db, "alice");

        var error = await Assert.ThrowsAsync<AccountException>(() => db.AccountsAsync(a => a.ChangePasswordAsync(alice.Id, "not the password", NewPassword)));

        Assert.Contains("current password is wrong", error.Message);
        Assert.Equal(before, await StampAsync(db, "alice"));
        Assert.NotNull(await db.AccountsAsync(a => a.VerifyPasswordAsync("alice", Password)));
    }

    [Fact]
    public async Task ChangePassword_ToATooShortPassword_ThrowsTheRule()
    {
        await using var db = await AuthTestDatabase.CreateAsync();
        var alice = await db.AccountsAsync(a => a.CreateAsync("alice", null, Password));

        var error = await Assert.ThrowsAsync<AccountException>(() => db.AccountsAsync(a => a.ChangePasswordAsync(alice.Id, Password, "short")));

        Assert.Contains("at least 12 characters", error.Message);
    }
}
