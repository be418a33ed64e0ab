using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Mnemo.Auth.Accounts;
using Mnemo.Auth.ApiKeys;
using Mnemo.Auth.Audit;
using Mnemo.Auth.Storage;

namespace Mnemo.Auth.Tests.Audit;

/// <summary>Account and key events land in <c>audit_events</c> with ids only; failures to write never fail the action.</summary>
public sealed class AuditLogTests
{
    private const string Password = "correct horse battery staple";

    private static async Task<IReadOnlyList<AuditEntry>> EventsAsync(AuthTestDatabase db, string? userId = null, DateTimeOffset? since = null, int? limit = null)
    {
        await db.Services.GetRequiredService<IAuditLog>().FlushAsync();
        return await db.WithAsync(sp => sp.GetRequiredService<IAuditTrail>().ListAsync(userId, since, limit));
    }

    private static string Name(AuditEventKind kind) => AuditEventKinds.Name(kind);

    [Fact]
    public async Task AccountAndKeyEvents_AreRecordedWithTheUser_AndNeverWithAPasswordKeyOrTypedName()
    {
        await using var db = await AuthTestDatabase.CreateAsync();
        var alice = await db.AccountsAsync(a => a.CreateAsync("alice", null, Password));
        await db.AccountsAsync(a => a.SignInAsync("alice", "wrong password guess"));
        await db.AccountsAsync(a => a.SignInAsync("my-password-typed-as-name", Password));
        await db.AccountsAsync(a => a.SignInAsync("alice", Password));
        await Assert.ThrowsAsync<AccountException>(() => db.AccountsAsync(a => a.ChangePasswordAsync(alice.Id, "not the current one", "a brand new password")));
        await db.AccountsAsync(a => a.ChangePasswordAsync(alice.Id, Password, "a brand new password"));
        await db.AccountsAsync(a => a.SignOutEverywhereAsync("alice"));
        var key = await db.KeysAsync(k => k.CreateAsync("alice", "laptop"));
        await db.KeysAsync(k => k.RevokeAsync(key.Info.Id));
        await db.KeysAsync(k => k.RevokeAsync(key.Info.Id)); // already revoked: no second event
        await db.AccountsAsync(a => a.DisableAsync("alice"));
        await db.AccountsAsync(a => a.EnableAsync("alice"));

        var events = await EventsAsync(db);

        Assert.Equal(
            [
                Name(AuditEventKind.AccountCreated), Name(AuditEventKind.SignInFailed), Name(AuditEventKind.SignInFailed),
                Name(AuditEventKind.SignInFailed), Name(AuditEventKind.PasswordChanged), Name(AuditEventKind.SignedOutEverywhere),
                Name(AuditEventKind.ApiKeyCreated), Name(AuditEventKind.ApiKeyRevoked), Name(AuditEventKind.AccountDisabled),
                Name(AuditEventKind.AccountEnabled),
            ],
            events.Select(e => e.Kind));
        Assert.All(events.Where(e => e.Detail != "unknown user name"), e => Assert.Equal(alice.Id, e.UserId));
        Assert.Null(Assert.Single(events, e => e.Detail == "unknown user name").UserId);
        Assert.All(events, e => Assert.Null(e.ClientIp)); // not from a web request
        Assert.Equal($"key {key.Info.Id}", events.Single(e => e.Kind == Name(AuditEventKind.ApiKeyCreated)).Detail);
        var table = string.Join('\n', events.Select(e => string.Join('|', e.UserId, e.ClientId, e.ClientIp, e.Detail)));
        Assert.DoesNotContain("wrong password guess", table);
        Assert.DoesNotContain("my-password-typed-as-name", table);
        Assert.DoesNotContain(Password, table);
        Assert.DoesNotContain("a brand new password", table);
        Assert.DoesNotContain(key.Secret, table);
    }

    [Fact]
    public async Task DeletingAnAccount_KeepsItsEventsUnderAKeyedPseudonym_FoundByItsOldId()
    {
        await using var db = await AuthTestDatabase.CreateAsync();
        var alice = await db.AccountsAsync(a => a.CreateAsync("alice", null, Password));
        var bob = await db.AccountsAsync(a => a.CreateAsync("bob", null, Password));
        await db.AccountsAsync(a => a.SignInAsync("alice", "wrong password guess"));
        // Still queued when the delete starts: it must be renamed too.
        db.Services.GetRequiredService<IAuditLog>().Record(AuditEventKind.SignedIn, alice.Id);

        await db.AccountsAsync(a => a.DeleteAsync("alice"));

        var all = await EventsAsync(db);
        Assert.DoesNotContain(all, e => e.UserId == alice.Id);
        var pseudonym = Assert.Single(all, e => e.Kind == Name(AuditEventKind.AccountDeleted)).UserId!;
        Assert.Matches("^deleted:[0-9a-f]{32}$", pseudonym);
        Assert.DoesNotContain(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(alice.Id)))[..32], pseudonym);
        Assert.Equal(
            [Name(AuditEventKind.AccountCreated), Name(AuditEventKind.SignInFailed), Name(AuditEventKind.SignedIn), Name(AuditEventKind.AccountDeleted)],
            (await EventsAsync(db, alice.Id)).Select(e => e.Kind));
        Assert.All(await EventsAsync(db, bob.Id), e => Assert.Equal(bob.Id, e.UserId));
    }

    [Fact]
    public async Task Pseudonyms_DifferBetweenInstallations_ForTheSameUserId()
    {
        await using var first = await AuthTestDatabase.CreateAsync();
        await using var second = await AuthTestDatabase.CreateAsync();

        var one = await first.WithAsync(sp => sp.GetRequiredService<UserPseudonym>().ForAsync("0190abcd"));
        var again = await first.WithAsync(sp => sp.GetRequiredService<UserPseudonym>().ForAsync("0190abcd"));
        var other = await second.WithAsync(sp => sp.GetRequiredService<UserPseudonym>().ForAsync("0190abcd"));

        Assert.Equal(one, again);
        Assert.NotEqual(one, other);
    }

    [Fact]
    public async Task RateLimitedEvents_AreKeptToOnePerMinutePerClientAndReason()
    {
        await using var db = await AuthTestDatabase.CreateAsync();
        var audit = db.Services.GetRequiredService<IAuditLog>();

        for (var i = 0; i < 100; i++)
        {
            audit.Record(AuditEventKind.RateLimited, clientId: "client-a", detail: "token endpoint");
        }

        audit.Record(AuditEventKind.RateLimited, clientId: "client-b", detail: "token endpoint");
        db.Time.Advance(TimeSpan.FromSeconds(61));
        audit.Record(AuditEventKind.RateLimited, clientId: "client-a", detail: "token endpoint");

        var events = await EventsAsync(db);
        Assert.Equal(["client-a", "client-b", "client-a"], events.Select(e => e.ClientId));
        Assert.All(events, e => Assert.Equal(Name(AuditEventKind.RateLimited), e.Kind));
    }

    [Fact]
    public async Task Record_CleansAndCapsClientChosenText()
    {
        await using var db = await AuthTestDatabase.CreateAsync();

        db.Services.GetRequiredService<IAuditLog>().Record(AuditEventKind.ClientRegistered, clientId: new string('c', 5_000), detail: "evil\u202Ename\r\n" + new string('x', 5_000));

        var entry = Assert.Single(await EventsAsync(db));
        Assert.Equal(AuditLog.MaxClientIdLength, entry.ClientId!.Length);
        Assert.StartsWith("evilname x", entry.Detail);
        Assert.Equal(AuditLog.MaxDetailLength, entry.Detail!.Length);
    }

    [Fact]
    public async Task SignIn_WhenTheAuditTableCannotBeWritten_StillSucceeds()
    {
        await using var db = await AuthTestDatabase.CreateAsync();
        await db.AccountsAsync(a => a.CreateAsync("alice", null, Password));
        await db.DbAsync(d => d.Database.ExecuteSqlRawAsync("DROP TABLE audit_events"));

        var session = await db.AccountsAsync(a => a.SignInAsync("alice", Password));
        var failed = await db.AccountsAsync(a => a.SignInAsync("alice", "wrong password guess"));
        await db.Services.GetRequiredService<IAuditLog>().FlushAsync();

        Assert.NotNull(session);
        Assert.Null(failed);
    }

    [Fact]
    public async Task Trail_FiltersByUserAndTime_AndLimitKeepsTheMostRecent()
    {
        await using var db = await AuthTestDatabase.CreateAsync();
        var alice = await db.AccountsAsync(a => a.CreateAsync("alice", null, Password));
        db.Time.Advance(TimeSpan.FromDays(1));
        var since = db.Time.GetUtcNow();
        await db.AccountsAsync(a => a.CreateAsync("bob", null, Password));
        await db.AccountsAsync(a => a.SignOutEverywhereAsync("alice"));
        db.Time.Advance(TimeSpan.FromMinutes(1));
        await db.AccountsAsync(a => a.DisableAsync("alice"));

        Assert.Equal(3, (await EventsAsync(db, since: since)).Count);
        Assert.Equal(
            [Name(AuditEventKind.SignedOutEverywhere), Name(AuditEventKind.AccountDisabled)],
            (await EventsAsync(db, alice.Id, since)).Select(e => e.Kind));
        Assert.Equal([Name(AuditEventKind.AccountDisabled)], (await EventsAsync(db, limit: 1)).Select(e => e.Kind));
    }

    [Theory]
    [InlineData(180, 1)]
    [InlineData(0, 2)]
    public async Task Retention_DeletesEventsOlderThanTheSetting_AndZeroKeepsThemForever(int days, int left)
    {
        await using var db = await AuthTestDatabase.CreateAsync();
        await db.AccountsAsync(a => a.CreateAsync("alice", null, Password));
        db.Time.Advance(TimeSpan.FromDays(180) + TimeSpan.FromMinutes(1));
        await db.AccountsAsync(a => a.CreateAsync("bob", null, Password));
        await db.Services.GetRequiredService<IAuditLog>().FlushAsync();
        var options = db.Services.GetRequiredService<IOptions<MnemoAuthOptions>>().Value;
        options.Audit.RetentionDays = days;
        var retention = new AuditRetention(db.Services.GetRequiredService<IServiceScopeFactory>(), Options.Create(options), db.Time, NullLogger<AuditRetention>.Instance);

        await retention.PruneAsync();

        Assert.Equal(left, (await EventsAsync(db)).Count);
    }
}
