using Microsoft.Extensions.Options;
using Mnemo.Auth.OAuth.Session;

namespace Mnemo.Auth.Tests.OAuth.Session;

/// <summary>The throttle's rules on a manual clock: per account+network and per network locks, a per-account delay only.</summary>
public sealed class LoginThrottleTests
{
    private const string Attacker = "203.0.113.7";
    private const string Owner = "198.51.100.20";

    private readonly ManualTimeProvider _time = new();

    private LoginThrottle Throttle(Action<MnemoAuthOptions>? change = null, int capacity = LoginThrottle.DefaultCapacity)
    {
        var options = new MnemoAuthOptions();
        change?.Invoke(options);
        return new LoginThrottle(Options.Create(options), _time, capacity);
    }

    [Fact]
    public async Task TryBegin_With64AttemptsAtOnce_LetsOnlyTheLimitThrough()
    {
        var throttle = Throttle();
        using var start = new ManualResetEventSlim();

        var racers = Enumerable.Range(0, 64).Select(_ => Task.Run(() =>
        {
            start.Wait();
            return throttle.TryBegin("alice", Attacker, knownDevice: false);
        })).ToList();
        start.Set();
        var attempts = await Task.WhenAll(racers);

        Assert.Equal(5, attempts.Count(a => a.Allowed));
    }

    [Fact]
    public void TryBegin_AfterFiveFailuresFromOneIp_IsLockedForThatIpOnly()
    {
        var throttle = Throttle();
        for (var i = 0; i < 5; i++)
        {
            Assert.True(throttle.TryBegin("alice", Attacker, knownDevice: false).Allowed);
        }

        var locked = throttle.TryBegin("alice", Attacker, knownDevice: false);

        Assert.False(locked.Allowed);
        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromMinutes(1), locked.LockedUntil);
        Assert.True(throttle.TryBegin("alice", Owner, knownDevice: false).Allowed);
        Assert.True(throttle.TryBegin("bob", Attacker, knownDevice: false).Allowed);
    }

    [Fact]
    public void TryBegin_AfterTheLockEnds_AllowsOneAttempt_ThenLocksTwiceAsLong()
    {
        var throttle = Throttle();
        for (var i = 0; i < 5; i++)
        {
            throttle.TryBegin("alice", Attacker, knownDevice: false);
        }

        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.True(throttle.TryBegin("alice", Attacker, knownDevice: false).Allowed);
        var locked = throttle.TryBegin("alice", Attacker, knownDevice: false);

        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromMinutes(2), locked.LockedUntil);
    }

    [Fact]
    public void TryBegin_KeepsALockAtMostAnHour_HoweverManyFailures()
    {
        var throttle = Throttle();
        for (var round = 0; round < 20; round++)
        {
            while (throttle.TryBegin("alice", Attacker, knownDevice: false) is { Allowed: true })
            {
            }

            var locked = throttle.TryBegin("alice", Attacker, knownDevice: false);
            Assert.InRange(locked.LockedUntil!.Value - _time.GetUtcNow(), TimeSpan.FromMinutes(1), TimeSpan.FromHours(1));
            _time.Advance(locked.LockedUntil!.Value - _time.GetUtcNow());
        }
    }

    [Fact]
    public void TryBegin_FromOneIpAcrossManyNames_LocksThatIpAfterThePerIpLimit()
    {
        var throttle = Throttle(o => o.LoginMaxFailuresPerIp = 20);
        for (var i = 0; i < 20; i++)
        {
            Assert.True(throttle.TryBegin("user" + i, Attacker, knownDevice: false).Allowed);
        }

        Assert.False(throttle.TryBegin("someone-new", Attacker, knownDevice: false).Allowed);
        Assert.True(throttle.TryBegin("someone-new", Owner, knownDevice: false).Allowed);
    }

    [Fact]
    public void TryBegin_AfterFailuresFromManyIps_DelaysTheAccountBoundedly_AndNeverLocksIt()
    {
        var throttle = Throttle();
        for (var i = 0; i < 200; i++)
        {
            throttle.TryBegin("alice", $"203.0.113.{i % 250}", knownDevice: false);
        }

        var owner = throttle.TryBegin("alice", Owner, knownDevice: false);

        Assert.True(owner.Allowed);
        Assert.Equal(TimeSpan.FromSeconds(4), owner.Delay); // Mnemo:Auth:LoginAccountMaxDelay
    }

    [Fact]
    public void TryBegin_AccountDelay_StartsAtTheLimit_AtAnEighthOfTheMaximum_AndDoubles()
    {
        var throttle = Throttle();
        var delays = Enumerable.Range(0, 10)
            .Select(i => throttle.TryBegin("alice", $"203.0.113.{i}", knownDevice: false).Delay.TotalMilliseconds)
            .ToArray();

        Assert.Equal([0, 0, 0, 0, 0, 500, 1000, 2000, 4000, 4000], delays);
    }

    [Fact]
    public void TryBegin_FromABrowserThatSignedInBefore_SkipsTheAccountDelay()
    {
        var throttle = Throttle();
        for (var i = 0; i < 10; i++)
        {
            throttle.TryBegin("alice", $"203.0.113.{i}", knownDevice: false);
        }

        Assert.Equal(TimeSpan.Zero, throttle.TryBegin("alice", Owner, knownDevice: true).Delay);
        Assert.NotEqual(TimeSpan.Zero, throttle.TryBegin("alice", "192.0.2.1", knownDevice: false).Delay);
    }

    [Fact]
    public void TryBegin_WithADeviceCookie_IsStillLockedPerIp()
    {
        var throttle = Throttle();
        for (var i = 0; i < 5; i++)
        {
            throttle.TryBegin("alice", Attacker, knownDevice: true);
        }

        Assert.False(throttle.TryBegin("alice", Attacker, knownDevice: true).Allowed);
    }

    [Fact]
    public void Succeeded_OnTheAttemptThatReachedTheLimit_LiftsTheLockItSet()
    {
        var throttle = Throttle();
        for (var i = 0; i < 4; i++)
        {
            throttle.TryBegin("alice", Owner, knownDevice: false);
        }

        throttle.Succeeded(throttle.TryBegin("alice", Owner, knownDevice: false));

        for (var i = 0; i < 5; i++)
        {
            Assert.True(throttle.TryBegin("alice", Owner, knownDevice: false).Allowed); // the count started over
        }
    }

    [Fact]
    public void Succeeded_OnTheAttackersOwnAccount_DoesNotResetTheIpCounter()
    {
        var throttle = Throttle(o => o.LoginMaxFailuresPerIp = 20);
        for (var i = 0; i < 19; i++)
        {
            throttle.TryBegin("victim" + i, Attacker, knownDevice: false);
        }

        throttle.Succeeded(throttle.TryBegin("mallory", Attacker, knownDevice: true));

        Assert.True(throttle.TryBegin("victim-19", Attacker, knownDevice: false).Allowed);
        Assert.False(throttle.TryBegin("victim-20", Attacker, knownDevice: false).Allowed);
    }

    [Fact]
    public void Succeeded_TakesBackOnlyItsOwnAttemptFromTheAccountCount()
    {
        var throttle = Throttle();
        for (var i = 0; i < 6; i++)
        {
            throttle.TryBegin("alice", $"203.0.113.{i}", knownDevice: false);
        }

        throttle.Succeeded(throttle.TryBegin("alice", Owner, knownDevice: true));

        Assert.Equal(TimeSpan.FromSeconds(1), throttle.TryBegin("alice", "192.0.2.1", knownDevice: false).Delay); // 6 failures: unchanged
    }

    [Fact]
    public void Counters_AreForgottenAnHourAfterTheirLastFailureOrLock()
    {
        var throttle = Throttle();
        for (var i = 0; i < 5; i++)
        {
            throttle.TryBegin("alice", Attacker, knownDevice: false);
        }

        _time.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromHours(1));

        for (var i = 0; i < 5; i++)
        {
            Assert.True(throttle.TryBegin("alice", Attacker, knownDevice: false).Allowed);
        }
    }

    [Fact]
    public void Counters_StayWithinTheirCapacity_AndKeepLocksOverUnlockedCounters()
    {
        var throttle = Throttle(capacity: 1_000);
        for (var i = 0; i < 5; i++)
        {
            throttle.TryBegin("alice", Attacker, knownDevice: false);
        }

        for (var i = 0; i < 5_000; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(1));
            throttle.TryBegin("sprayed-" + i, $"10.{i / 65536 % 256}.{i / 256 % 256}.{i % 256}", knownDevice: false);
            Assert.True(throttle.Count <= 1_000);
        }

        Assert.False(throttle.TryBegin("alice", Attacker, knownDevice: false).Allowed);
    }

    [Fact]
    public void Counters_TreatNamesCaseInsensitively()
    {
        var throttle = Throttle();
        foreach (var name in new[] { "alice", "ALICE", "Alice", "aLiCe", "alicE" })
        {
            throttle.TryBegin(name, Attacker, knownDevice: false);
        }

        Assert.False(throttle.TryBegin("alice", Attacker, knownDevice: false).Allowed);
    }
}
