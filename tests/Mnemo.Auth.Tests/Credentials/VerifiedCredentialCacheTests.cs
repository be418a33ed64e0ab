using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Mnemo.Auth.Credentials;
using OpenIddict.Abstractions;

namespace Mnemo.Auth.Tests.Credentials;

public sealed class VerifiedCredentialCacheTests
{
    private readonly ManualTimeProvider _time = new();

    // The test's own counter: the process's one moves with every other test's database writes.
    private readonly CredentialRevision _revision = new();

    private VerifiedCredentialCache Cache(TimeSpan? interval = null) =>
        new(_time, Options.Create(new MnemoAuthOptions { CredentialRecheckInterval = interval ?? TimeSpan.FromSeconds(1) }), _revision);

    private static AuthenticationTicket Ticket(DateTimeOffset? expires = null)
    {
        var identity = new ClaimsIdentity("test");
        identity.AddClaim(new Claim(MnemoClaimTypes.Subject, "alice"));
        var principal = new ClaimsPrincipal(identity);
        if (expires is { } at)
        {
            principal.SetExpirationDate(at);
        }

        return new AuthenticationTicket(principal, "test");
    }

    [Fact]
    public void Credential_VerifiedWithNothingChanged_IsServedFromTheCache()
    {
        var cache = Cache();
        var ticket = Ticket();
        cache.Add("token-a", ticket, _revision.Current);

        Assert.True(cache.TryGet("token-a", out var hit));
        Assert.Same(ticket, hit);
        Assert.False(cache.TryGet("token-b", out _));
    }

    [Fact]
    public void Credential_AfterAnyChangeInThisProcess_IsVerifiedAgain()
    {
        var cache = Cache();
        cache.Add("token-a", Ticket(), _revision.Current);

        _revision.Advance();

        Assert.False(cache.TryGet("token-a", out _));
    }

    [Fact]
    public void Verification_ThatBeganBeforeAChange_IsNotKept()
    {
        var cache = Cache();
        var before = _revision.Current;
        _revision.Advance(); // a revocation committed while the verification was reading

        cache.Add("token-a", Ticket(), before);

        Assert.False(cache.TryGet("token-a", out _));
    }

    [Fact]
    public void Credential_OlderThanTheRecheckInterval_IsVerifiedAgain()
    {
        var cache = Cache(TimeSpan.FromSeconds(1));
        cache.Add("token-a", Ticket(), _revision.Current);

        _time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.True(cache.TryGet("token-a", out _));
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.False(cache.TryGet("token-a", out _));
    }

    [Fact]
    public void AccessToken_ExpiringWithinTheInterval_IsNotServedAfterItsExpiry()
    {
        // Expiry claims have whole seconds.
        var cache = Cache(TimeSpan.FromSeconds(2));
        cache.Add("token-a", Ticket(expires: _time.GetUtcNow().AddSeconds(1)), _revision.Current);

        _time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.True(cache.TryGet("token-a", out _));
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.False(cache.TryGet("token-a", out _));
    }

    [Fact]
    public void ZeroInterval_KeepsNothing()
    {
        var cache = Cache(TimeSpan.Zero);
        cache.Add("token-a", Ticket(), _revision.Current);

        Assert.False(cache.TryGet("token-a", out _));
    }

    [Fact]
    public void Cache_AtItsCapacity_IsEmptiedRatherThanGrown()
    {
        var cache = Cache();
        var revision = _revision.Current;
        for (var i = 0; i < VerifiedCredentialCache.Capacity + 10; i++)
        {
            cache.Add($"token-{i}", Ticket(), revision);
        }

        Assert.True(cache.Count <= VerifiedCredentialCache.Capacity);
    }
}
