using Microsoft.Extensions.DependencyInjection;
using Mnemo.Auth.OAuth.Keys;

namespace Mnemo.Auth.Tests.OAuth.Keys;

/// <summary>
/// The rotation schedule on a real database with a fake clock: keys are published before they sign, sign for their
/// lifetime, and stay (able to validate) until every token they protected has expired. Defaults: 90-day keys, 1-day lead
/// time, 90-day refresh tokens (the longest token).
/// </summary>
public sealed class ServerKeyStoreTests
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromDays(90);
    private static readonly TimeSpan Lead = TimeSpan.FromDays(1);
    private static readonly TimeSpan LongestToken = TimeSpan.FromDays(90);

    private static Task<T> StoreAsync<T>(AuthTestDatabase db, Func<ServerKeyStore, Task<T>> action) =>
        db.WithAsync(sp => action(sp.GetRequiredService<ServerKeyStore>()));

    private static async Task<IReadOnlyList<SigningKeyInfo>> MaintainAndListAsync(AuthTestDatabase db)
    {
        await StoreAsync(db, s => s.MaintainAsync());
        return [.. (await StoreAsync(db, s => s.ListAsync())).Where(k => k.Use == ServerKeySchedule.Signing)];
    }

    [Fact]
    public async Task FirstMaintenance_CreatesOneActiveKeyPerUse_WithFixedIds()
    {
        await using var db = await AuthTestDatabase.CreateAsync();

        await StoreAsync(db, s => s.MaintainAsync());
        await StoreAsync(db, s => s.MaintainAsync());
        var keys = await StoreAsync(db, s => s.ListAsync());

        Assert.Equal(["mnemo-enc-1", "mnemo-sig-1"], keys.Select(k => k.Id).Order(StringComparer.Ordinal));
        Assert.All(keys, k => Assert.Equal(SigningKeyState.Active, k.State));
        Assert.All(keys, k => Assert.Equal(db.Time.GetUtcNow(), k.ActiveFrom));
    }

    [Fact]
    public async Task Successor_IsCreatedALeadTimeBeforeTheLifetimeEnds_AndWaitsTheLeadTimeBeforeItSigns()
    {
        await using var db = await AuthTestDatabase.CreateAsync();
        await MaintainAndListAsync(db);

        db.Time.Advance(Lifetime - Lead - TimeSpan.FromMinutes(1));
        Assert.Single(await MaintainAndListAsync(db));

        db.Time.Advance(TimeSpan.FromMinutes(2));
        var keys = await MaintainAndListAsync(db);
        var next = Assert.Single(keys, k => k.State == SigningKeyState.Next);
        Assert.Equal(db.Time.GetUtcNow() + Lead, next.ActiveFrom);
        Assert.Equal("mnemo-sig-1", Assert.Single(keys, k => k.State == SigningKeyState.Active).Id);

        db.Time.Advance(Lead);
        keys = await MaintainAndListAsync(db);
        Assert.Equal(next.Id, Assert.Single(keys, k => k.State == SigningKeyState.Active).Id);
        Assert.Equal(SigningKeyState.Retiring, Assert.Single(keys, k => k.Id == "mnemo-sig-1").State);
    }

    [Fact]
    public async Task SupersededKey_IsKeptUntilItsLastTokenExpiredPlusTheLeadTime_ThenDeleted()
    {
        await using var db = await AuthTestDatabase.CreateAsync();
        await MaintainAndListAsync(db);
        db.Time.Advance(TimeSpan.FromDays(3));
        var rotatedAt = db.Time.GetUtcNow();
        var rotated = Assert.Single(await StoreAsync(db, s => s.RotateAsync(immediately: true)), k => k.Use == ServerKeySchedule.Signing);

        // A refresh token signed by the old key a moment before the rotation lives until rotatedAt + 90 days.
        db.Time.Advance(LongestToken + Lead - TimeSpan.FromMinutes(1));
        var keys = await MaintainAndListAsync(db);
        var old = Assert.Single(keys, k => k.Id == "mnemo-sig-1");
        Assert.Equal(SigningKeyState.Retiring, old.State);
        Assert.Equal(rotatedAt + LongestToken + Lead, old.RetiresAt);

        db.Time.Advance(TimeSpan.FromMinutes(2));
        keys = await MaintainAndListAsync(db);
        Assert.DoesNotContain(keys, k => k.Id == "mnemo-sig-1");
        Assert.Equal(SigningKeyState.Active, Assert.Single(keys, k => k.Id == rotated.Id).State);
    }

    [Fact]
    public async Task Rotate_WithoutNow_PublishesANewKeyThatSignsAfterTheLeadTime()
    {
        await using var db = await AuthTestDatabase.CreateAsync();
        await MaintainAndListAsync(db);
        db.Time.Advance(TimeSpan.FromHours(1));

        var created = await StoreAsync(db, s => s.RotateAsync(immediately: false));

        Assert.Equal([ServerKeySchedule.Encryption, ServerKeySchedule.Signing], created.Select(k => k.Use).Order(StringComparer.Ordinal));
        Assert.All(created, k => Assert.Equal(SigningKeyState.Next, k.State));
        Assert.All(created, k => Assert.Equal(db.Time.GetUtcNow() + Lead, k.ActiveFrom));
        Assert.All(created, k => Assert.Matches("^mnemo-(sig|enc)-[0-9]{8}-[0-9a-f]{8}$", k.Id));
    }

    [Fact]
    public async Task Rotate_ReplacesAKeyStillWaitingToSign_AndNowMakesTheNewOneActiveAtOnce()
    {
        await using var db = await AuthTestDatabase.CreateAsync();
        await MaintainAndListAsync(db);
        db.Time.Advance(TimeSpan.FromHours(1));
        var waiting = Assert.Single(await StoreAsync(db, s => s.RotateAsync(immediately: false)), k => k.Use == ServerKeySchedule.Signing);
        db.Time.Advance(TimeSpan.FromHours(1));

        var now = Assert.Single(await StoreAsync(db, s => s.RotateAsync(immediately: true)), k => k.Use == ServerKeySchedule.Signing);

        var keys = await MaintainAndListAsync(db);
        Assert.DoesNotContain(keys, k => k.Id == waiting.Id);
        Assert.Equal(now.Id, Assert.Single(keys, k => k.State == SigningKeyState.Active).Id);
        Assert.Equal(SigningKeyState.Retiring, Assert.Single(keys, k => k.Id == "mnemo-sig-1").State);
    }

    [Fact]
    public async Task ActiveKey_WithoutSuccessor_ShowsTheRetirementItsLifetimeProjects()
    {
        await using var db = await AuthTestDatabase.CreateAsync();
        var start = db.Time.GetUtcNow();

        var active = Assert.Single(await MaintainAndListAsync(db));

        Assert.Equal(start + Lifetime + LongestToken + Lead, active.RetiresAt);
    }
}
