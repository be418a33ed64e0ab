using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Mnemo.Auth.OAuth.RateLimits;

namespace Mnemo.Auth.Tests.OAuth.RateLimits;

/// <summary>Per-address limits on the unauthenticated routes, per-client limits on the token endpoints, none on MCP; a fake clock and fake addresses.</summary>
public sealed class AuthRateLimiterTests
{
    private readonly ManualTimeProvider _time = new();

    private AuthRateLimiter Limiter(Action<RateLimitOptions>? change = null)
    {
        var options = new MnemoAuthOptions();
        change?.Invoke(options.RateLimits);
        return new AuthRateLimiter(Options.Create(options), _time);
    }

    private static DefaultHttpContext Request(string path, string address, string? clientId = null)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.Path = path;
        context.Connection.RemoteIpAddress = IPAddress.Parse(address);
        if (clientId is not null)
        {
            context.Request.ContentType = "application/x-www-form-urlencoded";
            context.Features.Set<Microsoft.AspNetCore.Http.Features.IFormFeature>(new Microsoft.AspNetCore.Http.Features.FormFeature(
                new FormCollection(new Dictionary<string, Microsoft.Extensions.Primitives.StringValues> { ["client_id"] = clientId })));
        }

        return context;
    }

    [Fact]
    public void Register_FromOneAddress_IsLimitedAfterItsBurst_AndRecoversAsTheBucketRefills()
    {
        var limiter = Limiter();
        for (var i = 0; i < 30; i++)
        {
            Assert.Null(limiter.Check(Request("/register", "203.0.113.7")));
        }

        var retryAfter = limiter.Check(Request("/register", "203.0.113.7"));

        Assert.Equal(TimeSpan.FromSeconds(2), retryAfter);
        Assert.Null(limiter.Check(Request("/register", "203.0.113.8"))); // another address has its own bucket
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Null(limiter.Check(Request("/register", "203.0.113.7")));
        Assert.NotNull(limiter.Check(Request("/register", "203.0.113.7")));
    }

    [Fact]
    public void Pages_AreLimitedPerAddress_AndAnIpv6NetworkCountsAsOne()
    {
        var limiter = Limiter(l => l.PagesPerMinute = 3);
        Assert.Null(limiter.Check(Request("/login", "2001:db8::1")));
        Assert.Null(limiter.Check(Request("/authorize", "2001:db8::2")));
        Assert.Null(limiter.Check(Request("/login", "2001:db8::3")));

        Assert.NotNull(limiter.Check(Request("/login", "2001:db8::4")));
        Assert.Null(limiter.Check(Request("/login", "2001:db9::1")));
    }

    [Fact]
    public void TokenEndpoints_CountAKnownClientAsOne_WhateverItsAddresses()
    {
        var limiter = Limiter(l => l.TokenPerMinute = 2);
        Assert.Null(limiter.Check(Request("/token", "198.51.100.1", clientId: "claude")));
        Assert.Null(limiter.Check(Request("/revoke", "198.51.100.2", clientId: "claude")));

        Assert.NotNull(limiter.Check(Request("/token", "198.51.100.3", clientId: "claude")));
        Assert.Null(limiter.Check(Request("/token", "198.51.100.3", clientId: "chatgpt")));
    }

    [Fact]
    public void McpAndEverythingElse_AreNeverLimited()
    {
        var limiter = Limiter(l => { l.PagesPerMinute = 1; l.RegisterPerMinute = 1; l.TokenPerMinute = 1; });

        for (var i = 0; i < 10_000; i++)
        {
            Assert.Null(limiter.Check(Request("/mcp", "203.0.113.7")));
            Assert.Null(limiter.Check(Request("/.well-known/oauth-authorization-server", "203.0.113.7")));
        }
    }

    [Fact]
    public void ExemptLoopback_LetsTestSuitesOnOneMachineThrough_ButNoOneElse()
    {
        var limiter = Limiter(l => { l.RegisterPerMinute = 1; l.ExemptLoopback = true; });

        for (var i = 0; i < 100; i++)
        {
            Assert.Null(limiter.Check(Request("/register", "127.0.0.1")));
            Assert.Null(limiter.Check(Request("/register", "::1")));
        }

        Assert.Null(limiter.Check(Request("/register", "203.0.113.7")));
        Assert.NotNull(limiter.Check(Request("/register", "203.0.113.7")));
    }

    [Fact]
    public void ZeroTurnsALimitOff()
    {
        var limiter = Limiter(l => l.RegisterPerMinute = 0);

        for (var i = 0; i < 1_000; i++)
        {
            Assert.Null(limiter.Check(Request("/register", "203.0.113.7")));
        }
    }

    [Fact]
    public void Buckets_StayWithinTheirCapacity_UnderAFloodOfAddresses()
    {
        var buckets = new TokenBuckets(perMinute: 5, _time, capacity: 100);

        for (var i = 0; i < 10_000; i++)
        {
            buckets.TryTake($"10.0.{i / 256}.{i % 256}", out _);
        }

        Assert.InRange(buckets.Count, 1, 100);
    }
}
