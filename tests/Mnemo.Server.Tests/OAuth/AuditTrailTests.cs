using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Mnemo.Auth.Audit;
using Mnemo.Server.Tests.Infrastructure;

namespace Mnemo.Server.Tests.OAuth;

/// <summary>What a connector and a person do through OAuth ends up in the audit log, with who, which client and from where, and no secret.</summary>
public sealed class AuditTrailTests
{
    private const string Attacker = "203.0.113.7";

    private static Dictionary<string, string?> BehindProxy() => new() { ["Mnemo:ForwardedHeaders:KnownProxies:0"] = "127.0.0.1" };

    private static async Task<IReadOnlyList<AuditEntry>> EventsAsync(OAuthTestServer server)
    {
        await server.Services.GetRequiredService<IAuditLog>().FlushAsync();
        await using var scope = server.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IAuditTrail>().ListAsync(null, null, null);
    }

    private static string Name(AuditEventKind kind) => AuditEventKinds.Name(kind);

    [Fact]
    public async Task FullOAuthFlow_IsAudited_AndNoTokenCodeSecretOrPasswordReachesTheTable()
    {
        await using var server = await OAuthTestServer.StartAsync();
        await server.CreateUserAsync("alice");
        using var connector = new ConnectorDriver(server);
        using var registration = await connector.Http.PostAsJsonAsync("/register", new Dictionary<string, object>
        {
            ["client_name"] = "Claude",
            ["redirect_uris"] = new[] { ConnectorDriver.ClaudeCallback },
            ["token_endpoint_auth_method"] = "client_secret_post",
        });
        var registered = await registration.Content.ReadFromJsonAsync<JsonElement>();
        var clientId = registered.GetProperty("client_id").GetString()!;
        var secret = registered.GetProperty("client_secret").GetString()!;
        var pkce = Pkce.Create();
        var code = ConnectorDriver.Query(await connector.AuthorizeAsync(connector.AuthorizeUrl(clientId, pkce), "alice"))["code"];
        using var exchange = await connector.ExchangeAsync(clientId, code, pkce.Verifier, clientSecret: secret);
        var first = await exchange.Content.ReadFromJsonAsync<JsonElement>();
        using var refresh = await connector.Http.PostAsync("/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token", ["refresh_token"] = first.GetProperty("refresh_token").GetString()!,
            ["client_id"] = clientId, ["client_secret"] = secret, ["resource"] = server.McpUrl,
        }));
        var second = await refresh.Content.ReadFromJsonAsync<JsonElement>();
        using var revoke = await connector.Http.PostAsync("/revoke", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["token"] = second.GetProperty("refresh_token").GetString()!, ["token_type_hint"] = "refresh_token",
            ["client_id"] = clientId, ["client_secret"] = secret,
        }));
        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);

        var events = await EventsAsync(server);
        var userId = events.Single(e => e.Kind == Name(AuditEventKind.AccountCreated)).UserId;
        Assert.Equal(
            [
                Name(AuditEventKind.AccountCreated), Name(AuditEventKind.ClientRegistered), Name(AuditEventKind.SignedIn),
                Name(AuditEventKind.ConsentGranted), Name(AuditEventKind.TokenIssued), Name(AuditEventKind.TokenRefreshed),
                Name(AuditEventKind.TokenRevoked),
            ],
            events.Select(e => e.Kind));
        Assert.All(events.Skip(2), e => Assert.Equal(userId, e.UserId));
        Assert.All(events.Skip(1), e => Assert.Equal("127.0.0.1", e.ClientIp));
        Assert.All(events.Where(e => e.Kind != Name(AuditEventKind.AccountCreated) && e.Kind != Name(AuditEventKind.SignedIn)), e => Assert.Equal(clientId, e.ClientId));
        Assert.Equal("scopes: memory:read memory:write offline_access", events.Single(e => e.Kind == Name(AuditEventKind.TokenIssued)).Detail);

        var table = await server.Store.DumpAsync("audit_events");
        Assert.NotEqual("", table);
        string[] secrets =
        [
            code, pkce.Verifier, secret, OAuthTestServer.Password,
            first.GetProperty("access_token").GetString()!, first.GetProperty("refresh_token").GetString()!,
            second.GetProperty("access_token").GetString()!, second.GetProperty("refresh_token").GetString()!,
        ];
        foreach (var value in secrets)
        {
            Assert.DoesNotContain(value, table);
            Assert.DoesNotContain(value[..16], table);
        }
    }

    [Fact]
    public async Task RefreshTokenReplay_AfterTheGraceWindow_IsAuditedAsReuse_ButARetryInsideItIsNot()
    {
        var clock = new ManualClock();
        await using var server = await OAuthTestServer.StartAsync(services: s => s.AddSingleton<TimeProvider>(clock));
        await server.CreateUserAsync("alice");
        using var connector = new ConnectorDriver(server);
        var (clientId, tokens) = await connector.ConnectAsync("alice");
        var stolen = tokens.GetProperty("refresh_token").GetString()!;
        using var rotated = await connector.RefreshAsync(clientId, stolen);
        using var retried = await connector.RefreshAsync(clientId, stolen); // inside the 30 s leeway
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        clock.Advance(TimeSpan.FromSeconds(31));

        using var replay = await connector.RefreshAsync(clientId, stolen);

        Assert.Equal(HttpStatusCode.BadRequest, replay.StatusCode);
        var events = await EventsAsync(server);
        var reuse = Assert.Single(events, e => e.Kind == Name(AuditEventKind.RefreshTokenReuse));
        Assert.Equal(clientId, reuse.ClientId);
        Assert.Equal(events.Single(e => e.Kind == Name(AuditEventKind.AccountCreated)).UserId, reuse.UserId);
        Assert.Equal(2, events.Count(e => e.Kind == Name(AuditEventKind.TokenRefreshed)));
    }

    [Fact]
    public async Task CodeReplay_IsAuditedAsReuse()
    {
        await using var server = await OAuthTestServer.StartAsync();
        await server.CreateUserAsync("alice");
        using var connector = new ConnectorDriver(server);
        var clientId = await connector.RegisterAsync();
        var pkce = Pkce.Create();
        var code = ConnectorDriver.Query(await connector.AuthorizeAsync(connector.AuthorizeUrl(clientId, pkce), "alice"))["code"];
        using var first = await connector.ExchangeAsync(clientId, code, pkce.Verifier);

        using var replay = await connector.ExchangeAsync(clientId, code, pkce.Verifier);

        Assert.Equal(HttpStatusCode.BadRequest, replay.StatusCode);
        Assert.Equal(clientId, Assert.Single(await EventsAsync(server), e => e.Kind == Name(AuditEventKind.AuthorizationCodeReuse)).ClientId);
    }

    [Fact]
    public async Task DeniedConsent_FailedSignIns_AndTheLockout_AreAuditedWithTheClientAddress()
    {
        await using var server = await OAuthTestServer.StartAsync(BehindProxy());
        await server.CreateUserAsync("alice");
        using var attacker = new ConnectorDriver(server);
        attacker.Browser.From(Attacker);
        for (var i = 0; i < 8; i++)
        {
            using var wrong = await attacker.SignInAsync("/login", "alice", "wrong password attempt");
        }

        using var person = new ConnectorDriver(server);
        var clientId = await person.RegisterAsync();
        await RedirectUriAttackTests.SignInAsync(person);
        using var consent = await person.Browser.GetAsync(person.AuthorizeUrl(clientId, Pkce.Create()));
        await person.AllowAsync(await consent.Content.ReadAsStringAsync(), answer: "deny");

        var events = await EventsAsync(server);
        var failures = events.Where(e => e.Kind == Name(AuditEventKind.SignInFailed)).ToList();
        Assert.Equal(5, failures.Count); // Mnemo:Auth:LoginMaxFailures; the rest were refused before the password check
        Assert.All(failures, e => Assert.Equal(Attacker, e.ClientIp));
        var locked = Assert.Single(events, e => e.Kind == Name(AuditEventKind.RateLimited)); // three refusals, one row a minute
        Assert.Equal(Attacker, locked.ClientIp);
        Assert.Null(locked.UserId);
        var denied = Assert.Single(events, e => e.Kind == Name(AuditEventKind.ConsentDenied));
        Assert.Equal(clientId, denied.ClientId);
        Assert.Equal("127.0.0.1", denied.ClientIp);
        Assert.DoesNotContain(events, e => e.Kind == Name(AuditEventKind.ConsentGranted));
    }

    [Fact]
    public async Task RetentionDays_IsReadFromMnemoAudit_AndAWrongValueStopsStartUpNamingIt()
    {
        await using (var server = await OAuthTestServer.StartAsync(new Dictionary<string, string?> { ["Mnemo:Audit:RetentionDays"] = "7" }))
        {
            var options = server.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Mnemo.Auth.MnemoAuthOptions>>().Value;
            Assert.Equal(7, options.Audit.RetentionDays);
        }

        var error = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() =>
            OAuthTestServer.StartAsync(new Dictionary<string, string?> { ["Mnemo:Audit:RetentionDays"] = "-1" }));
        Assert.Contains("Mnemo:Audit:RetentionDays", error.Message);
    }
}
