namespace Mnemo.Auth.Tests.OAuth;

/// <summary>Bad settings stop start-up with a message naming the setting and the fix.</summary>
public sealed class MnemoAuthOptionsValidatorTests
{
    private static string? Failure(Action<MnemoAuthOptions> change)
    {
        var options = new MnemoAuthOptions();
        AuthTestDatabase.Configure("Data Source=:memory:")(options);
        change(options);
        var result = new MnemoAuthOptionsValidator().Validate(null, options);
        return result.Failed ? result.FailureMessage : null;
    }

    [Fact]
    public void Defaults_AreValid() => Assert.Null(Failure(_ => { }));

    [Theory]
    [InlineData("https://mnemo.example.com/")]
    [InlineData("https://mnemo.example.com/mnemo")]
    [InlineData("mnemo.example.com")]
    [InlineData("ftp://mnemo.example.com")]
    [InlineData("https://mnemo.example.com?x=1")]
    public void PublicUrl_MustBeAnOriginWithoutPathOrTrailingSlash(string url) =>
        Assert.Contains("public URL", Failure(o => o.PublicUrl = url));

    [Fact]
    public void PublicUrl_AcceptsAnOriginWithPort() => Assert.Null(Failure(o => o.PublicUrl = "https://mnemo.example.com:8443"));

    [Fact]
    public void DefaultScopes_MustBeKnownScopes() =>
        Assert.Contains("Mnemo:Auth:DefaultScopes", Failure(o => o.DefaultScopes = ["memory:admin"]));

    [Theory]
    [InlineData("has space")]
    [InlineData("offline_access")]
    [InlineData("quote\"d")]
    public void Scopes_MustBeRfc6749ScopeTokens(string name) =>
        Assert.Contains("options.Scopes", Failure(o => o.Scopes.Add(new AuthScope(name, "x"))));

    [Fact]
    public void Scopes_MustBeDistinct() =>
        Assert.Contains("options.Scopes", Failure(o => o.Scopes.Add(new AuthScope(AuthTestDatabase.ReadScope, "again"))));

    [Fact]
    public void Lifetimes_AreBounded()
    {
        Assert.Contains("Mnemo:Auth:AccessTokenLifetime", Failure(o => o.AccessTokenLifetime = TimeSpan.FromDays(30)));
        Assert.Contains("Mnemo:Auth:RefreshTokenReuseLeeway", Failure(o => o.RefreshTokenReuseLeeway = TimeSpan.FromHours(1)));
        Assert.Contains("Mnemo:Auth:AuthorizationCodeLifetime", Failure(o => o.AuthorizationCodeLifetime = TimeSpan.FromHours(1)));
    }

    [Fact]
    public void ResourcePath_MustBeAnAbsolutePathWithoutTrailingSlash() =>
        Assert.Contains("Mnemo:Auth:ResourcePath", Failure(o => o.ResourcePath = "mcp/"));

    [Fact]
    public void SignInLimits_AreAtLeastOne_AndTheAccountDelayAtMostAMinute()
    {
        Assert.Contains("Mnemo:Auth:LoginMaxFailures ", Failure(o => o.LoginMaxFailures = 0));
        Assert.Contains("Mnemo:Auth:LoginMaxFailuresPerIp", Failure(o => o.LoginMaxFailuresPerIp = 0));
        Assert.Contains("Mnemo:Auth:LoginAccountMaxDelay", Failure(o => o.LoginAccountMaxDelay = TimeSpan.FromMinutes(5)));
        Assert.Contains("Mnemo:Auth:LoginAccountMaxDelay", Failure(o => o.LoginAccountMaxDelay = TimeSpan.FromSeconds(-1)));
    }

    [Theory]
    [InlineData("0.12:00:00")]
    [InlineData("1000.00:00:00")]
    public void SigningKeyLifetime_OutsideOneDayToTwoYears_IsRefusedNamingTheSetting(string lifetime) =>
        Assert.Contains("Mnemo:Auth:SigningKeyLifetime", Failure(o => o.SigningKeyLifetime = TimeSpan.Parse(lifetime, System.Globalization.CultureInfo.InvariantCulture)));

    [Fact]
    public void SigningKeyLeadTime_LongerThanHalfTheLifetime_IsRefusedNamingBothSettings()
    {
        var failure = Failure(o =>
        {
            o.SigningKeyLifetime = TimeSpan.FromDays(10);
            o.SigningKeyLeadTime = TimeSpan.FromDays(6);
        });

        Assert.Contains("Mnemo:Auth:SigningKeyLeadTime", failure);
        Assert.Contains("Mnemo:Auth:SigningKeyLifetime", failure);
    }

    [Fact]
    public void SigningKeyLeadTime_ShorterThanFiveMinutes_IsRefused() =>
        Assert.Contains("Mnemo:Auth:SigningKeyLeadTime", Failure(o => o.SigningKeyLeadTime = TimeSpan.FromMinutes(1)));

    [Theory]
    [InlineData(-1)]
    [InlineData(40_000)]
    public void AuditRetentionDays_OutOfRange_IsRefusedNamingTheSetting(int days) =>
        Assert.Contains("Mnemo:Audit:RetentionDays", Failure(o => o.Audit.RetentionDays = days));

    [Fact]
    public void AuditRetentionDays_Zero_KeepsForeverAndIsValid() => Assert.Null(Failure(o => o.Audit.RetentionDays = 0));
}
