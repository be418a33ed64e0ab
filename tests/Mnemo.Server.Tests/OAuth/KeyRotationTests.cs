using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Mnemo.Auth.OAuth.Keys;
using Mnemo.Server.Tests.Infrastructure;
using OpenIddict.Server;

namespace Mnemo.Server.Tests.OAuth;

/// <summary>
/// Signing keys rotate without logging anyone out: a new key is in the JWKS before it signs anything, tokens signed by
/// the old key keep working, and the old key leaves the JWKS only after every token it signed has expired. A fake clock
/// moves months; <see cref="ServerKeyRing.SyncAsync"/> is what the once-a-minute maintenance runs.
/// </summary>
public sealed class KeyRotationTests
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromDays(90);
    private static readonly TimeSpan Lead = TimeSpan.FromDays(1);

    private sealed record Setup(OAuthTestServer Server, ConnectorDriver Connector, ManualClock Clock) : IAsyncDisposable
    {
        public Task<bool> TickAsync() => Server.Services.GetRequiredService<ServerKeyRing>().SyncAsync(maintain: true);

        public async Task RotateNowAsync()
        {
            await using var scope = Server.Services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<ServerKeyStore>().RotateAsync(immediately: true);
        }

        public async ValueTask DisposeAsync()
        {
            Connector.Dispose();
            await Server.DisposeAsync();
        }
    }

    private static async Task<Setup> StartAsync()
    {
        var clock = new ManualClock();
        var server = await OAuthTestServer.StartAsync(services: s => s.AddSingleton<TimeProvider>(clock));
        await server.CreateUserAsync("alice");
        return new Setup(server, new ConnectorDriver(server), clock);
    }

    [Fact]
    public async Task TokensIssuedBeforeARotation_KeepWorkingAfterIt_AndNewTokensAreSignedWithTheNewKey()
    {
        await using var setup = await StartAsync();
        var (clientId, tokens) = await setup.Connector.ConnectAsync("alice");
        var oldKey = SigningKeyOf(setup, Access(tokens));
        setup.Clock.Advance(TimeSpan.FromMinutes(1));

        await setup.RotateNowAsync();
        Assert.True(await setup.TickAsync());
        setup.Clock.Advance(TimeSpan.FromMinutes(1));

        using var oldAccess = await setup.Connector.InitializeAsync(Access(tokens));
        Assert.Equal(HttpStatusCode.OK, oldAccess.StatusCode);
        using var refresh = await setup.Connector.RefreshAsync(clientId, tokens.GetProperty("refresh_token").GetString()!);
        Assert.Equal(HttpStatusCode.OK, refresh.StatusCode);
        var refreshed = await refresh.Content.ReadFromJsonAsync<JsonElement>();
        var newKey = SigningKeyOf(setup, Access(refreshed));
        Assert.NotEqual(oldKey, newKey);
        Assert.Contains(oldKey, await JwksKeyIdsAsync(setup));
        using var newAccess = await setup.Connector.InitializeAsync(Access(refreshed));
        Assert.Equal(HttpStatusCode.OK, newAccess.StatusCode);
    }

    [Fact]
    public async Task ScheduledSuccessor_IsInTheJwksALeadTimeBeforeItSignsAnything()
    {
        await using var setup = await StartAsync();
        var (clientId, tokens) = await setup.Connector.ConnectAsync("alice");
        var firstKey = SigningKeyOf(setup, Access(tokens));
        Assert.Equal([firstKey], await JwksKeyIdsAsync(setup));

        setup.Clock.Advance(Lifetime - Lead + TimeSpan.FromMinutes(1));
        Assert.True(await setup.TickAsync());
        var published = await JwksKeyIdsAsync(setup);
        var successor = Assert.Single(published, id => id != firstKey);

        // Published, not signing yet: a refresh a minute before its activation still gets the first key.
        setup.Clock.Advance(Lead - TimeSpan.FromMinutes(2));
        var (beforeActivation, refreshToken) = await RefreshAsync(setup, clientId, tokens.GetProperty("refresh_token").GetString()!);
        Assert.Equal(firstKey, SigningKeyOf(setup, beforeActivation));

        // Then every new token is signed with it, with no reload in between.
        setup.Clock.Advance(TimeSpan.FromMinutes(2));
        var (afterActivation, _) = await RefreshAsync(setup, clientId, refreshToken);
        Assert.Equal(successor, SigningKeyOf(setup, afterActivation));
    }

    [Fact]
    public async Task SupersededKey_ValidatesItsTokensUntilTheyExpire_AndOnlyThenLeavesTheJwks()
    {
        await using var setup = await StartAsync();
        var (clientId, tokens) = await setup.Connector.ConnectAsync("alice");
        var oldKey = SigningKeyOf(setup, Access(tokens));
        setup.Clock.Advance(TimeSpan.FromMinutes(1));
        await setup.RotateNowAsync();
        await setup.TickAsync();

        // The refresh token issued before the rotation lives 90 days; a minute before it expires it still works.
        setup.Clock.Advance(TimeSpan.FromDays(90) - TimeSpan.FromMinutes(2));
        await setup.TickAsync();
        Assert.Contains(oldKey, await JwksKeyIdsAsync(setup));
        var (refreshed, _) = await RefreshAsync(setup, clientId, tokens.GetProperty("refresh_token").GetString()!);
        Assert.NotEqual(oldKey, SigningKeyOf(setup, refreshed));

        // Its retirement: the rotation + the longest token lifetime (90 days) + the lead time (1 day).
        setup.Clock.Advance(Lead);
        await setup.TickAsync();
        Assert.Contains(oldKey, await JwksKeyIdsAsync(setup));
        setup.Clock.Advance(TimeSpan.FromMinutes(2));
        Assert.True(await setup.TickAsync());
        Assert.DoesNotContain(oldKey, await JwksKeyIdsAsync(setup));
    }

    private static string Access(JsonElement tokens) => tokens.GetProperty("access_token").GetString()!;

    private static async Task<(string AccessToken, string RefreshToken)> RefreshAsync(Setup setup, string clientId, string refreshToken)
    {
        using var response = await setup.Connector.RefreshAsync(clientId, refreshToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (Access(body), body.GetProperty("refresh_token").GetString()!);
    }

    private static async Task<List<string>> JwksKeyIdsAsync(Setup setup)
    {
        var jwks = await setup.Connector.Http.GetFromJsonAsync<JsonElement>("/.well-known/jwks");
        return [.. jwks.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("kid").GetString()!)];
    }

    /// <summary>The <c>kid</c> of the signature inside an access token (which is encrypted to the server's own key).</summary>
    private static string SigningKeyOf(Setup setup, string accessToken)
    {
        var options = setup.Server.Services.GetRequiredService<IOptionsMonitor<OpenIddictServerOptions>>().CurrentValue;
        var handler = new JsonWebTokenHandler();
        var inner = handler.DecryptToken(handler.ReadJsonWebToken(accessToken), new TokenValidationParameters
        {
            TokenDecryptionKeys = [.. options.EncryptionCredentials.Select(c => c.Key)],
        });
        return new JsonWebToken(inner).Kid;
    }
}
