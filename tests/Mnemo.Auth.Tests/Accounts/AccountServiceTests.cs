using Microsoft.EntityFrameworkCore;
using Mnemo.Auth.Accounts;

namespace Mnemo.Auth.Tests.Accounts;

public sealed class AccountServiceTests
{
    private const string GoodPassword = "correct horse battery";

    [Fact]
    public async Task Create_StoresAnAccount_WhenNameAndPasswordAreValid()
    {
        await using var db = await AuthTestDatabase.CreateAsync();

        var account = await db.AccountsAsync(a => a.CreateAsync("alice", "alice@example.com", GoodPassword));

        Assert.Equal("alice", account.UserName);
        Assert.Equal("alice@example.com", account.Email);
        Assert.False(account.Disabled);
        Assert.False(string.IsNullOrEmpty(account.Id));
        Assert.Equal(1, await db.AccountsAsync(a => a.CountAsync()));
    }

    [Theory]
    [InlineData("")]
    [InlineData("short")]
    [InlineData("elevenchars")]
    public async Task Create_RefusesPassword_WhenShorterThanTwelveCharacters(string password)
    {
        await using var db = await AuthTestDatabase.CreateAsync();

        var error = await Assert.ThrowsAsync<AccountException>(() => db.AccountsAsync(a => a.CreateAsync("alice", null, password)));

        Assert.Contains("at least 12 characters", error.Message);
    }

    [Fact]
    public async Task Create_AcceptsPassword_WithoutCompositionRules()
    {
        await using var db = await AuthTestDatabase.CreateAsync();

        var account = await db.AccountsAsync(a => a.CreateAsync("alice", null, "aaaaaaaaaaaa"));

        Assert.Equal("alice", account.UserName);
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("slash/name")]
    [InlineData("<script>")]
    [InlineData("аlice")] // Cyrillic 'а'
    public async Task Create_RefusesUserName_WhenItHasCharactersOutsideTheAllowedSet(string userName)
    {
        await using var db = await AuthTestDatabase.CreateAsync();

        var error = await Assert.ThrowsAsync<AccountException>(() => db.AccountsAsync(a => a.CreateAsync(userName, null, GoodPassword)));

        Assert.Contains("user name", error.Message);
    }

    [Fact]
    public async Task Create_RefusesUserName_WhenLongerThan64Characters()
    {
        await using var db = await AuthTestDatabase.CreateAsync();

        var error = await Assert.ThrowsAsync<AccountException>(() => db.AccountsAsync(a => a.CreateAsync(new string('a', 65), null, GoodPassword)));

        Assert.Contains("at most 64", error.Message);
    }

    [Fact]
    public async Task Create_AcceptsUserName_WithDotsDashesUnderscoresAndAt()
    {
        await using var db = await AuthTestDatabase.CreateAsync();

        var account = await db.AccountsAsync(a => a.CreateAsync("a.b_c-d@example.org", null, GoodPassword));

        Assert.Equal("a.b_c-d@example.org", account.UserName);
    }

    [Fact]
    public async Task Create_RefusesDuplicateName_IgnoringCase()
    {
        await using var db = await AuthTestDatabase.CreateAsync();
        await db.AccountsAsync(a => a.CreateAsync("Alice", null, GoodPassword));

        var error = await Assert.ThrowsAsync<AccountException>(() => db.AccountsAsync(a => a.CreateAsync("aLICE", null, GoodPassword)));

        Assert.Contains("already exists", error.Message);
    }

    [Fact]
    public async Task Create_StoresPasswordOnlyAsASaltedHash()
    {
        await using var db = await AuthTestDatabase.CreateAsync();
        await db.AccountsAsync(a => a.CreateAsync("alice", null, GoodPassword));
        await db.AccountsAsync(a => a.CreateAsync("bob", null, GoodPassword));

        var hashes = await db.DbAsync(d => d.Users.Select(u => u.PasswordHash).ToListAsync());

        Assert.All(hashes, h => Assert.DoesNotContain(GoodPassword, h));
        Assert.NotEqual(hashes[0], hashes[1]); // salted: the same password hashes differently
    }

    [Fact]
    public async Task VerifyPassword_ReturnsTheAccount_WhenPasswordMatchesWhateverTheNameCase()
    {
        await using var db = await AuthTestDatabase.CreateAsync();
        await db.AccountsAsync(a => a.CreateAsync("alice", null, GoodPassword));

        var account = await db.AccountsAsync(a => a.VerifyPasswordAsync("ALICE", GoodPassword));

        Assert.NotNull(account);
        Assert.Equal("alice", account.UserName);
    }

    [Theory]
    [InlineData("alice", "wrong password!!")]
    [InlineData("nobody", GoodPassword)]
    [InlineData("", GoodPassword)]
    [InlineData("al\0ice", GoodPassword)] // PostgreSQL refuses NUL in text: the name must be turned away before the query
    public async Task VerifyPassword_ReturnsNull_WhenNameOrPasswordIsWrong(string userName, string password)
    {
        await using var db = await AuthTestDatabase.CreateAsync();
        await db.AccountsAsync(a => a.CreateAsync("alice", null, GoodPassword));

        Assert.Null(await db.AccountsAsync(a => a.VerifyPasswordAsync(userName, password)));
    }

    [Fact]
    public async Task VerifyPassword_ReturnsNull_WhenAccountIsDisabled()
    {
        await using var db = await AuthTestDatabase.CreateAsync();
        await db.AccountsAsync(a => a.CreateAsync("alice", null, GoodPassword));

        var disabled = await db.AccountsAsync(a => a.DisableAsync("alice"));

        Assert.True(disabled.Disabled);
        Assert.Null(await db.AccountsAsync(a => a.VerifyPasswordAsync("alice", GoodPassword)));
        await db.AccountsAsync(a => a.EnableAsync("alice"));
        Assert.NotNull(await db.AccountsAsync(a => a.VerifyPasswordAsync("alice", GoodPassword)));
    }

    [Fact]
    public async Task SetPassword_ReplacesThePassword()
    {
        await using var db = await AuthTestDatabase.CreateAsync();
        await db.AccountsAsync(a => a.CreateAsync("alice", null, GoodPassword));

        await db.AccountsAsync(async a => { await a.SetPasswordAsync("alice", "a brand new password"); return 0; });

        Assert.Null(await db.AccountsAsync(a => a.VerifyPasswordAsync("alice", GoodPassword)));
        Assert.NotNull(await db.AccountsAsync(a => a.VerifyPasswordAsync("alice", "a brand new password")));
    }

    [Fact]
    public async Task Delete_RemovesTheAccountAndItsKeys()
    {
        await using var db = await AuthTestDatabase.CreateAsync();
        var alice = await db.AccountsAsync(a => a.CreateAsync("alice", null, GoodPassword));
        var key = await db.KeysAsync(k => k.CreateAsync("alice", "laptop"));

        await db.AccountsAsync(a => a.DeleteAsync("alice"));

        Assert.Null(await db.AccountsAsync(a => a.FindAsync("alice")));
        Assert.Equal(0, await db.DbAsync(d => d.ApiKeys.CountAsync(k => k.UserId == alice.Id)));
        Assert.Null(await db.KeysAsync(k => k.ValidateAsync(key.Secret)));
    }

    [Fact]
    public async Task DisableAndDelete_ThrowAccountException_WhenUserIsUnknown()
    {
        await using var db = await AuthTestDatabase.CreateAsync();

        await Assert.ThrowsAsync<AccountException>(() => db.AccountsAsync(a => a.DisableAsync("ghost")));
        var error = await Assert.ThrowsAsync<AccountException>(() => db.AccountsAsync(a => a.DeleteAsync("ghost")));
        Assert.Contains("ghost", error.Message);
    }

    [Fact]
    public async Task Find_FindsByNameIgnoringCaseAndById()
    {
        await using var db = await AuthTestDatabase.CreateAsync();
        var alice = await db.AccountsAsync(a => a.CreateAsync("Alice", null, GoodPassword));

        Assert.Equal(alice.Id, (await db.AccountsAsync(a => a.FindAsync("alice")))?.Id);
        Assert.Equal("Alice", (await db.AccountsAsync(a => a.FindAsync(alice.Id)))?.UserName);
        Assert.Single(await db.AccountsAsync(a => a.ListAsync()));
        Assert.Null(await db.AccountsAsync(a => a.FindAsync("al\0ice")));
    }

    [Fact]
    public async Task Create_RefusesAUserNameThatLooksLikeAUserId()
    {
        await using var db = await AuthTestDatabase.CreateAsync();
        var alice = await db.AccountsAsync(a => a.CreateAsync("alice", null, GoodPassword));

        var error = await Assert.ThrowsAsync<AccountException>(() => db.AccountsAsync(a => a.CreateAsync(alice.Id, null, GoodPassword)));

        Assert.Contains("looks like a user id", error.Message);
    }
}
