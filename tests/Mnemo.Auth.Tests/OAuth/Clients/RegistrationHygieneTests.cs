using Microsoft.Extensions.DependencyInjection;
using Mnemo.Auth.OAuth.Clients;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Mnemo.Auth.Tests.OAuth.Clients;

/// <summary>De-duplicated registrations and the reaping of unused clients, on a fake clock.</summary>
public sealed class RegistrationHygieneTests : IAsyncLifetime
{
    private static readonly string[] Claude = ["https://claude.ai/api/mcp/auth_callback"];
    private AuthTestDatabase _db = null!;

    public async Task InitializeAsync() => _db = await AuthTestDatabase.CreateAsync();

    public async Task DisposeAsync() => await _db.DisposeAsync();

    private Task<DynamicRegistration> RegisterAsync(string name = "Claude", string[]? redirects = null, bool confidential = false) =>
        _db.WithAsync(sp => sp.GetRequiredService<DynamicClientRegistrar>().RegisterAsync(name, redirects ?? Claude, confidential, default));

    private Task<IReadOnlyList<string>> ReapAsync() => _db.WithAsync(sp => sp.GetRequiredService<ClientReaper>().ReapAsync(default));

    private Task<IReadOnlyList<string>> ClientIdsAsync() =>
        _db.WithAsync(async sp => (IReadOnlyList<string>)[.. (await sp.GetRequiredService<IOAuthClientRegistry>().ListAsync()).Select(c => c.ClientId)]);

    [Fact]
    public async Task Register_TwiceIdenticallyWithinTenMinutes_ReturnsTheSameClient_WithADifferentRegistrationToken()
    {
        var first = await RegisterAsync();
        _db.Time.Advance(TimeSpan.FromMinutes(9));
        var second = await RegisterAsync();

        Assert.Equal(first.Info.ClientId, second.Info.ClientId);
        Assert.True(second.Deduplicated);
        Assert.NotEqual(first.RegistrationAccessToken, second.RegistrationAccessToken);
        Assert.Single(await ClientIdsAsync());
    }

    [Fact]
    public async Task Register_AfterTenMinutes_OrWithOtherMetadata_CreatesANewClient()
    {
        var first = await RegisterAsync();
        var otherName = await RegisterAsync(name: "Claude Desktop");
        var otherRedirect = await RegisterAsync(redirects: ["https://claude.com/api/mcp/auth_callback"]);
        _db.Time.Advance(TimeSpan.FromMinutes(11));
        var later = await RegisterAsync();

        Assert.Equal(4, new[] { first, otherName, otherRedirect, later }.Select(r => r.Info.ClientId).Distinct().Count());
    }

    [Fact]
    public async Task Register_AConfidentialClient_IsNeverDeduplicated()
    {
        var first = await RegisterAsync(confidential: true);
        var second = await RegisterAsync(confidential: true);

        Assert.NotEqual(first.Info.ClientId, second.Info.ClientId);
        Assert.NotNull(second.ClientSecret);
    }

    [Fact]
    public async Task Reap_ANeverUsedClient_GoesAfter24Hours_NotBefore()
    {
        var client = await RegisterAsync();
        _db.Time.Advance(TimeSpan.FromHours(23));
        Assert.Empty(await ReapAsync());

        _db.Time.Advance(TimeSpan.FromHours(1));

        Assert.Equal([client.Info.ClientId], await ReapAsync());
        Assert.Empty(await ClientIdsAsync());
    }

    [Fact]
    public async Task Reap_MoreClientsThanOnePage_SurveysAndRemovesThemAll()
    {
        // The reaper reads the clients a page at a time: one more than a page spans two.
        var registered = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i <= ClientReaper.PageSize; i++)
        {
            var client = await _db.WithAsync(sp => sp.GetRequiredService<IOAuthClientRegistry>()
                .RegisterAsync($"client {i}", Claude, confidential: false, OAuthClientOrigin.Dynamic));
            registered.Add(client.Info.ClientId);
        }

        _db.Time.Advance(ClientReaper.NeverUsedLifetime);

        Assert.Equal(registered, (await ReapAsync()).ToHashSet(StringComparer.Ordinal));
        Assert.Empty(await ClientIdsAsync());
    }

    [Fact]
    public async Task FindByClientId_WithANulCharacter_FindsNothing_InsteadOfFailingTheQuery()
    {
        var client = await RegisterAsync();

        var found = await _db.WithAsync(async sp =>
            await sp.GetRequiredService<IOpenIddictApplicationManager>().FindByClientIdAsync(client.Info.ClientId + "\0"));

        Assert.Null(found);
    }

    [Fact]
    public async Task Reap_AUsedClient_GoesOnlyAfterBeingIdleForTheRefreshTokenLifetime()
    {
        var client = await RegisterAsync();
        await AddTokenAsync(client.Info.ClientId, expiresIn: TimeSpan.FromHours(2));

        _db.Time.Advance(TimeSpan.FromDays(89));
        Assert.Empty(await ReapAsync());
        _db.Time.Advance(TimeSpan.FromDays(1));

        Assert.Equal([client.Info.ClientId], await ReapAsync());
    }

    [Fact]
    public async Task Reap_NeverRemovesAClientHoldingALiveGrant_HoweverOld()
    {
        var client = await RegisterAsync();
        await AddTokenAsync(client.Info.ClientId, expiresIn: TimeSpan.FromDays(1000));

        _db.Time.Advance(TimeSpan.FromDays(400));

        Assert.Empty(await ReapAsync());
        Assert.Single(await ClientIdsAsync());
    }

    [Fact]
    public async Task Reap_LeavesClientsTheOwnerRegistered()
    {
        await _db.WithAsync(sp => sp.GetRequiredService<IOAuthClientRegistry>().RegisterAsync("cli", Claude, false, OAuthClientOrigin.Cli));
        _db.Time.Advance(TimeSpan.FromDays(400));

        Assert.Empty(await ReapAsync());
    }

    private Task<int> AddTokenAsync(string clientId, TimeSpan expiresIn) => _db.WithAsync(async sp =>
    {
        var applications = sp.GetRequiredService<IOpenIddictApplicationManager>();
        var application = await applications.FindByClientIdAsync(clientId);
        var now = _db.Time.GetUtcNow();
        await sp.GetRequiredService<IOpenIddictTokenManager>().CreateAsync(new OpenIddictTokenDescriptor
        {
            ApplicationId = await applications.GetIdAsync(application!),
            Subject = "alice",
            Status = Statuses.Valid,
            Type = TokenTypeHints.RefreshToken,
            CreationDate = now,
            ExpirationDate = now + expiresIn,
        });
        return 0;
    });
}
