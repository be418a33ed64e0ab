using Microsoft.EntityFrameworkCore;
using Mnemo.Auth.Accounts;

namespace Mnemo.Auth.Tests.ApiKeys;

public sealed class ApiKeyServiceTests
{
    private static async Task<AuthTestDatabase> WithAliceAsync()
    {
        var db = await AuthTestDatabase.CreateAsync();
        await db.AccountsAsync(a => a.CreateAsync("alice", null, "correct horse battery"));
        return db;
    }

    [Fact]
    public async Task Create_ReturnsAHighEntropySecretWithTheMnemoPrefix()
    {
        await using var db = await WithAliceAsync();

        var key = await db.KeysAsync(k => k.CreateAsync("alice", "laptop"));

        Assert.StartsWith("mnemo_", key.Secret);
        Assert.True(key.Secret.Length >= "mnemo_".Length + 43, "at least 32 random bytes, base64url");
        Assert.Matches("^key_[a-z0-9]{8}$", key.Info.Id);
        Assert.Equal("laptop", key.Info.Label);
    }

    [Fact]
    public async Task Validate_ResolvesTheUserAndKey_WhenSecretIsValid()
    {
        await using var db = await WithAliceAsync();
        var key = await db.KeysAsync(k => k.CreateAsync("alice", "laptop"));

        var identity = await db.KeysAsync(k => k.ValidateAsync(key.Secret));

        Assert.NotNull(identity);
        Assert.Equal("alice", identity.User.UserName);
        Assert.Equal(key.Info.Id, identity.Key.Id);
    }

    [Theory]
    [InlineData("")]
    [InlineData("mnemo_")]
    [InlineData("mnemo_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("not-a-key")]
    public async Task Validate_ReturnsNull_WhenSecretIsUnknown(string secret)
    {
        await using var db = await WithAliceAsync();
        await db.KeysAsync(k => k.CreateAsync("alice", null));

        Assert.Null(await db.KeysAsync(k => k.ValidateAsync(secret)));
    }

    [Fact]
    public async Task Create_StoresTheSecretOnlyAsAHash()
    {
        await using var db = await WithAliceAsync();
        var key = await db.KeysAsync(k => k.CreateAsync("alice", "laptop"));

        // Read the raw row, every column, as a database reader would.
        var columns = await db.DbAsync(async d =>
        {
            await d.Database.OpenConnectionAsync();
            await using var command = d.Database.GetDbConnection().CreateCommand();
            command.CommandText = "SELECT * FROM api_keys";
            await using var reader = await command.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync());
            return Enumerable.Range(0, reader.FieldCount)
                .Select(i => reader.IsDBNull(i) ? "" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture) ?? "")
                .ToList();
        });
        var secretBody = key.Secret["mnemo_".Length..];
        Assert.Equal(7, columns.Count);
        Assert.All(columns, value => Assert.DoesNotContain(secretBody, value));

        var stored = await db.DbAsync(d => d.ApiKeys.SingleAsync());
        Assert.Equal(64, stored.SecretHash.Length);
    }

    [Fact]
    public async Task Validate_ReturnsNull_WhenKeyIsRevoked()
    {
        await using var db = await WithAliceAsync();
        var key = await db.KeysAsync(k => k.CreateAsync("alice", null));

        Assert.True(await db.KeysAsync(k => k.RevokeAsync(key.Info.Id)));

        Assert.Null(await db.KeysAsync(k => k.ValidateAsync(key.Secret)));
        var listed = Assert.Single(await db.KeysAsync(k => k.ListAsync("alice")));
        Assert.NotNull(listed.RevokedAt);
    }

    [Fact]
    public async Task Revoke_ReturnsFalse_WhenKeyIdIsUnknown()
    {
        await using var db = await WithAliceAsync();

        Assert.False(await db.KeysAsync(k => k.RevokeAsync("key_nothere")));
    }

    [Fact]
    public async Task Validate_ReturnsNull_WhenUserIsDisabled()
    {
        await using var db = await WithAliceAsync();
        var key = await db.KeysAsync(k => k.CreateAsync("alice", null));

        await db.AccountsAsync(a => a.DisableAsync("alice"));

        Assert.Null(await db.KeysAsync(k => k.ValidateAsync(key.Secret)));
    }

    [Fact]
    public async Task Create_Throws_WhenUserIsUnknownOrDisabled()
    {
        await using var db = await WithAliceAsync();

        await Assert.ThrowsAsync<AccountException>(() => db.KeysAsync(k => k.CreateAsync("ghost", null)));
        await db.AccountsAsync(a => a.DisableAsync("alice"));
        await Assert.ThrowsAsync<AccountException>(() => db.KeysAsync(k => k.CreateAsync("alice", null)));
    }

    [Fact]
    public async Task Validate_WritesLastUsedAtAtMostOncePerMinute()
    {
        await using var db = await WithAliceAsync();
        var key = await db.KeysAsync(k => k.CreateAsync("alice", null));
        var first = db.Time.GetUtcNow();

        await db.KeysAsync(k => k.ValidateAsync(key.Secret));
        db.Time.Advance(TimeSpan.FromSeconds(30));
        await db.KeysAsync(k => k.ValidateAsync(key.Secret));
        var afterThirtySeconds = Assert.Single(await db.KeysAsync(k => k.ListAsync("alice"))).LastUsedAt;
        db.Time.Advance(TimeSpan.FromSeconds(31));
        await db.KeysAsync(k => k.ValidateAsync(key.Secret));
        var afterAMinute = Assert.Single(await db.KeysAsync(k => k.ListAsync("alice"))).LastUsedAt;

        Assert.Equal(first, afterThirtySeconds);
        Assert.Equal(first.AddSeconds(61), afterAMinute);
    }

    [Fact]
    public async Task List_ShowsOnlyTheUsersKeys()
    {
        await using var db = await WithAliceAsync();
        await db.AccountsAsync(a => a.CreateAsync("bob", null, "correct horse battery"));
        await db.KeysAsync(k => k.CreateAsync("alice", "one"));
        await db.KeysAsync(k => k.CreateAsync("alice", "two"));
        await db.KeysAsync(k => k.CreateAsync("bob", "three"));

        var keys = await db.KeysAsync(k => k.ListAsync("ALICE"));

        Assert.Equal(["one", "two"], keys.Select(k => k.Label).Order());
    }
}
