using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Mnemo.Auth.ApiKeys;
using Mnemo.Server.Tests.Infrastructure;

namespace Mnemo.Server.Tests.OAuth;

/// <summary>
/// Verified credentials are kept for a moment (Mnemo:Auth:CredentialRecheckInterval, 1 s) so that small MCP calls skip
/// the database: a revocation must still stop the next call on the instance that made it, and reach every other
/// instance on the same database within OAUTH.md's bound of 2 s. Each test warms the credential on every instance
/// first, so a cache that ignored the change would answer 200.
/// </summary>
public sealed class RevocationBoundTests
{
    private const string PublicUrl = "http://mnemo.example.test";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task AccessToken_RevokedThroughOneInstance_FailsThereAtOnce_AndOnTheOtherWithinTheBound()
    {
        await using var store = await TestDataStore.CreateAsync("mnemo-revocation-");
        Assert.Equal(0, (await MnemoProcess.RunOnAsync(store, OAuthTestServer.Password + "\n", "users", "add", "alice", "--password-stdin")).ExitCode);
        await using var a = await MnemoProcess.StartServerAsync(store, $"--Mnemo:PublicUrl={PublicUrl}");
        await using var b = await MnemoProcess.StartServerAsync(store, $"--Mnemo:PublicUrl={PublicUrl}");
        using var viaA = new ConnectorDriver(a.BaseUrl, PublicUrl);
        using var viaB = new ConnectorDriver(b.BaseUrl, PublicUrl);
        var (clientId, tokens) = await viaA.ConnectAsync("alice");
        var access = tokens.GetProperty("access_token").GetString()!;
        await WarmAsync(access, viaA, viaB);

        using var revoke = await viaA.RevokeAsync(clientId, tokens.GetProperty("refresh_token").GetString()!);
        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        var revoked = Stopwatch.StartNew();

        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(viaA, access));
        var reachedB = await TimeUntilRefusedAsync(viaB, access, revoked);
        Assert.True(reachedB < Bound, $"instance B still accepted the revoked token {reachedB.TotalMilliseconds:0} ms after the revocation");
    }

    [Fact]
    public async Task AccountDisabledByTheCli_StopsItsTokenAndKeyOnEveryInstance_WithinTheBound()
    {
        await using var store = await TestDataStore.CreateAsync("mnemo-disable-");
        Assert.Equal(0, (await MnemoProcess.RunOnAsync(store, OAuthTestServer.Password + "\n", "users", "add", "alice", "--password-stdin")).ExitCode);
        var key = (await MnemoProcess.RunOnAsync(store, null, "keys", "create", "alice")).StdOut.Trim();
        await using var a = await MnemoProcess.StartServerAsync(store, $"--Mnemo:PublicUrl={PublicUrl}");
        await using var b = await MnemoProcess.StartServerAsync(store, $"--Mnemo:PublicUrl={PublicUrl}");
        using var viaA = new ConnectorDriver(a.BaseUrl, PublicUrl);
        using var viaB = new ConnectorDriver(b.BaseUrl, PublicUrl);
        var (_, tokens) = await viaA.ConnectAsync("alice");
        var access = tokens.GetProperty("access_token").GetString()!;
        await WarmAsync(access, viaA, viaB);
        await WarmAsync(key, viaA, viaB);

        // Another process writes the change: no instance learns of it except through the database.
        Assert.Equal(0, (await MnemoProcess.RunOnAsync(store, null, "users", "disable", "alice")).ExitCode);
        var disabled = Stopwatch.StartNew();

        foreach (var instance in new[] { viaA, viaB })
        {
            foreach (var credential in new[] { access, key })
            {
                var reached = await TimeUntilRefusedAsync(instance, credential, disabled);
                Assert.True(reached < Bound, $"a credential of the disabled account still worked {reached.TotalMilliseconds:0} ms after the CLI finished");
            }
        }
    }

    [Fact]
    public async Task ApiKey_RevokedInTheServingProcess_FailsOnTheVeryNextCall()
    {
        await using var server = await OAuthTestServer.StartAsync();
        await server.CreateUserAsync("alice");
        CreatedApiKey created;
        await using (var scope = server.Services.CreateAsyncScope())
        {
            created = await scope.ServiceProvider.GetRequiredService<IApiKeyService>().CreateAsync("alice", "laptop");
        }

        using var connector = new ConnectorDriver(server);
        await WarmAsync(created.Secret, connector);

        await using (var scope = server.Services.CreateAsyncScope())
        {
            Assert.True(await scope.ServiceProvider.GetRequiredService<IApiKeyService>().RevokeAsync(created.Info.Id));
        }

        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(connector, created.Secret));
    }

    [Fact]
    public async Task AccessToken_ManyCallsWithinTheInterval_StillNeedsTheRightScope()
    {
        // A cached credential carries the scopes it was verified with: a read-only token stays read-only.
        await using var server = await OAuthTestServer.StartAsync();
        await server.CreateUserAsync("alice");
        using var connector = new ConnectorDriver(server);
        var (_, tokens) = await connector.ConnectAsync("alice", scope: "memory:read");
        var access = tokens.GetProperty("access_token").GetString()!;
        await WarmAsync(access, connector);

        using var write = await connector.CallToolRawAsync(access, "add_memories", """{"memories":["x"]}""");
        Assert.Equal(HttpStatusCode.Forbidden, write.StatusCode);
    }

    /// <summary>Several successful calls on each instance: the credential is verified and then served from the cache.</summary>
    private static async Task WarmAsync(string credential, params ConnectorDriver[] instances)
    {
        foreach (var instance in instances)
        {
            for (var i = 0; i < 3; i++)
            {
                Assert.Equal(HttpStatusCode.OK, await StatusAsync(instance, credential));
            }
        }
    }

    /// <summary>An MCP <c>initialize</c>: authenticated like every call, and answered without a session.</summary>
    private static async Task<HttpStatusCode> StatusAsync(ConnectorDriver instance, string credential)
    {
        using var response = await instance.InitializeAsync(credential);
        return response.StatusCode;
    }

    /// <summary>Calls every 50 ms until the credential is refused; how long after <paramref name="since"/> started that was (gives up at 3× the bound).</summary>
    private static async Task<TimeSpan> TimeUntilRefusedAsync(ConnectorDriver instance, string credential, Stopwatch since)
    {
        while (since.Elapsed < Bound * 3)
        {
            var status = await StatusAsync(instance, credential);
            if (status == HttpStatusCode.Unauthorized)
            {
                return since.Elapsed;
            }

            Assert.Equal(HttpStatusCode.OK, status);
            await Task.Delay(50);
        }

        return since.Elapsed;
    }
}
