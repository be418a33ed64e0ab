using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Mnemo.Server.Tests.OAuth;
using Npgsql;
using Xunit.Abstractions;

namespace Mnemo.Server.Tests.Scale;

/// <summary>
/// Three <c>mnemo serve</c> processes on one PostgreSQL database behind a round-robin nginx, in the default session mode
/// (Hybrid): what a person or an assistant does through the balancer works whichever instance answers each step, and
/// what one instance writes or revokes holds on the others at once.
/// </summary>
/// <remarks>
/// What session clients need behind a balancer in Hybrid mode, as observed here: a client that starts with
/// <c>initialize</c> (TypeScript SDK v1, and v2 in its default "legacy" negotiation) gets an <c>Mcp-Session-Id</c> kept
/// in the memory of the instance that answered; its next request, sent by round robin to another instance, gets 404
/// "Session not found" and the client gives up (<see cref="SessionClients_InHybridMode_FailThroughRoundRobin_WithoutStickyRouting"/>).
/// Such clients need either routing that sends all of a client's requests to one instance, or
/// <c>Mnemo:Mcp:SessionMode=Stateless</c> (<see cref="StatelessScaleTests"/>). Hashing on the session header does not
/// work with open-source nginx (<c>initialize</c> carries none, so it lands elsewhere than the later requests); hashing
/// on the credential does (<c>hash $http_authorization consistent;</c>,
/// <see cref="SessionClients_InHybridMode_WorkWhenTheBalancerRoutesEachCredentialToOneInstance"/>), until the client
/// refreshes its token or that instance restarts, when the session is lost and the client must initialize again.
/// Clients of MCP 2026-07-28 (v2 with <c>versionNegotiation: { mode: 'auto' }</c>) have no session and work through plain
/// round robin.
/// </remarks>
[Collection(ScaleCollection.Name)]
[Trait("Provider", "Postgres")]
public sealed class ScaleOutTests(ScaleClusterFixture fixture, ITestOutputHelper output) : IClassFixture<ScaleClusterFixture>
{
    private static readonly TimeSpan RevocationBound = TimeSpan.FromSeconds(2);

    private ScaleCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task ThreeInstancesStartedTogetherOnAnEmptyDatabase_CreateOneSetOfKeys_WithoutAnInsertRace()
    {
        var published = new List<string>();
        foreach (var instance in Cluster.Instances)
        {
            using var direct = Cluster.Direct(instance);
            var jwks = await direct.GetFromJsonAsync<JsonElement>("/.well-known/jwks");
            published.Add(string.Join(",", jwks.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("kid").GetString()).Order()));
        }

        Assert.Single(published.Distinct());
        Assert.NotEqual("", published[0]);
        // The fixture started all three at the same moment on an empty database. The start-up lock serialises the
        // migrations and the data-protection key, so the instances come to the OAuth server keys one after another:
        // one creates each first key and none loses an insert race on its primary key (which EF Core would log as
        // "fail:" with a stack trace). EF Core's own false alarm on a fresh database ("Failed executing DbCommand …
        // __EFMigrationsHistory", npgsql/efcore.pg#3407) is not Mnemo's and not counted here.
        var creations = Cluster.Instances.Sum(i => Regex.Matches(i.Output, @"OAuth server key mnemo-(sig|enc)-1 \((sig|enc)\) created").Count);
        Assert.True(creations == 2, $"expected one creation of each first key, saw {creations}:\n{Cluster.Logs}");
        Assert.False(Cluster.Instances.Any(i => i.Output.Contains("PK_oauth_server_keys", StringComparison.Ordinal)), $"an instance lost a key insert race:\n{Cluster.Logs}");

        // One data-protection key for all: what one instance protects (sign-in cookies, anti-forgery tokens, the OAuth
        // server keys) the others read without waiting for a key-ring refresh.
        await using var connection = new NpgsqlConnection(Cluster.ConnectionString);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM data_protection_keys", connection);
        Assert.Equal(1L, await count.ExecuteScalarAsync());
    }

    [Fact]
    public async Task OAuthFlow_WhoseStepsLandOnDifferentInstances_Completes()
    {
        using var connector = new ConnectorDriver(new Uri(Cluster.Origin), Cluster.Origin);
        var steps = new List<(string Step, string Upstream)>();
        void Served(string step, HttpResponseMessage response) => steps.Add((step, Upstream(response)));

        using var registered = await connector.Http.PostAsJsonAsync("/register", new Dictionary<string, object>
        {
            ["client_name"] = "Claude",
            ["redirect_uris"] = new[] { ConnectorDriver.ClaudeCallback },
            ["grant_types"] = new[] { "authorization_code", "refresh_token" },
            ["response_types"] = new[] { "code" },
            ["token_endpoint_auth_method"] = "none",
        });
        Served("register", registered);
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var clientId = (await registered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("client_id").GetString()!;

        var pkce = Pkce.Create();
        using var authorize = await connector.Browser.GetAsync(connector.AuthorizeUrl(clientId, pkce));
        Served("authorize", authorize);
        Assert.Equal(HttpStatusCode.Found, authorize.StatusCode);
        var login = authorize.Headers.Location!.ToString();
        Assert.StartsWith("/login", login);

        using var loginPage = await connector.Browser.GetAsync(login);
        Served("login page", loginPage);
        Assert.Equal(HttpStatusCode.OK, loginPage.StatusCode);
        var credentials = BrowserSession.FormFields(await loginPage.Content.ReadAsStringAsync());
        credentials["userName"] = ScaleClusterFixture.UserName;
        credentials["password"] = OAuthTestServer.Password;
        // The anti-forgery token and the sign-in cookie were made by one instance and are read by another: the
        // data-protection key ring is in the database.
        using var signedIn = await connector.Browser.PostFormAsync("/login", credentials);
        Served("sign in", signedIn);
        Assert.Equal(HttpStatusCode.Found, signedIn.StatusCode);

        using var consent = await connector.Browser.GetAsync(signedIn.Headers.Location!.ToString());
        Served("consent page", consent);
        Assert.Equal(HttpStatusCode.OK, consent.StatusCode);
        var answer = BrowserSession.FormFields(await consent.Content.ReadAsStringAsync());
        answer["mnemo_consent"] = "allow";
        using var allowed = await connector.Browser.PostFormAsync("/authorize", answer);
        Served("allow", allowed);
        Assert.True(allowed.StatusCode is HttpStatusCode.Found or HttpStatusCode.SeeOther, $"consent answered {(int)allowed.StatusCode}");
        var callback = ConnectorDriver.Query(allowed.Headers.Location!);
        Assert.Equal(Cluster.Origin, callback["iss"]);

        using var exchanged = await connector.ExchangeAsync(clientId, callback["code"], pkce.Verifier);
        Served("token", exchanged);
        Assert.Equal(HttpStatusCode.OK, exchanged.StatusCode);
        var tokens = await exchanged.Content.ReadFromJsonAsync<JsonElement>();

        using var refreshed = await connector.RefreshAsync(clientId, tokens.GetProperty("refresh_token").GetString()!);
        Served("refresh", refreshed);
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        var access = (await refreshed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString()!;

        // The refreshed token, issued by one instance, works on each of them.
        foreach (var instance in Cluster.Instances)
        {
            using var direct = Cluster.Direct(instance);
            Assert.Equal(HttpStatusCode.OK, await RawMcpSession.CredentialStatusAsync(direct, access));
        }

        output.WriteLine(string.Join('\n', steps.Select(s => $"{s.Step,-13} served by {s.Upstream}")));
        var servers = steps.Select(s => s.Upstream).Distinct().ToList();
        Assert.True(servers.Count >= 2, $"every step was served by {servers[0]}: the balancer did not spread the flow");
        Assert.All(servers, s => Assert.Contains(s, Cluster.Instances.Select(i => i.UpstreamName)));
    }

    [Fact]
    public async Task MemoryWrittenThroughOneInstance_IsFoundByKeywordSearchOnEveryOther_OnTheVeryNextCall()
    {
        var sessions = await DirectSessionsAsync(fixture.ApiKey);
        // Each instance has the user's index in memory before the write, so a catch-up (not a first load) is tested.
        foreach (var session in sessions)
        {
            await session.SearchAsync("warm up the index");
        }

        for (var writer = 0; writer < sessions.Count; writer++)
        {
            var marker = "quokka" + Guid.NewGuid().ToString("N")[..8];
            var fact = $"Alice saw a {marker} on the ferry to Rottnest, written through instance {writer}.";
            await sessions[writer].AddAsync(fact);
            for (var reader = 0; reader < sessions.Count; reader++)
            {
                if (reader != writer)
                {
                    var found = await sessions[reader].SearchAsync(marker);
                    Assert.True(found.Contains(fact), $"instance {reader} did not find what instance {writer} wrote: [{string.Join(" | ", found)}]");
                }
            }
        }
    }

    [Fact]
    public async Task MemoryDeletedThroughOneInstance_LeavesSearchOnEveryOther_OnTheVeryNextCall()
    {
        var sessions = await DirectSessionsAsync(fixture.ApiKey);
        var marker = "wombat" + Guid.NewGuid().ToString("N")[..8];
        var ids = await sessions[0].AddAsync($"Alice adopted a {marker} named Digger.");
        foreach (var session in sessions)
        {
            Assert.Single(await session.SearchAsync(marker));
        }

        await sessions[1].CallToolAsync("delete_memories", new JsonObject { ["ids"] = new JsonArray(JsonValue.Create(ids[0])) });
        Assert.Empty(await sessions[0].SearchAsync(marker));
        Assert.Empty(await sessions[2].SearchAsync(marker));
    }

    [Fact]
    public async Task RevokingTheGrantOnOneInstance_StopsItsAccessTokenOnAllThree_WithinTwoSeconds()
    {
        using var connector = new ConnectorDriver(new Uri(Cluster.Origin), Cluster.Origin);
        var (clientId, tokens) = await connector.ConnectAsync(ScaleClusterFixture.UserName);
        var access = tokens.GetProperty("access_token").GetString()!;
        var clients = Cluster.Instances.Select(Cluster.Direct).ToList();
        try
        {
            foreach (var client in clients)
            {
                Assert.Equal(HttpStatusCode.OK, await RawMcpSession.CredentialStatusAsync(client, access));
            }

            // Disconnect, on instance 0: the refresh token's revocation revokes the whole grant (RFC 7009 §2.1).
            using var onInstance0 = new ConnectorDriver(Cluster.Instances[0].Socket, Cluster.Origin);
            using var revoked = await onInstance0.RevokeAsync(clientId, tokens.GetProperty("refresh_token").GetString()!);
            Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
            var clock = Stopwatch.StartNew();

            // Each round asks the three instances at once; the time is when an instance first refused the token.
            var refusedAfter = new TimeSpan?[clients.Count];
            var acceptedAfterRevocation = new int[clients.Count];
            while (refusedAfter.Any(t => t is null) && clock.Elapsed < RevocationBound * 3)
            {
                var round = await Task.WhenAll(clients.Select((c, i) => refusedAfter[i] is null
                    ? RawMcpSession.CredentialStatusAsync(c, access)
                    : Task.FromResult(HttpStatusCode.Unauthorized)));
                for (var i = 0; i < clients.Count; i++)
                {
                    if (refusedAfter[i] is null && round[i] == HttpStatusCode.Unauthorized)
                    {
                        refusedAfter[i] = clock.Elapsed;
                    }
                    else if (refusedAfter[i] is null)
                    {
                        acceptedAfterRevocation[i]++;
                    }
                }

                await Task.Delay(20);
            }

            var report = string.Join(", ", refusedAfter.Select((t, i) => $"instance {i}: {(t is { } v ? $"refused at {v.TotalMilliseconds:F0} ms" : "still accepted")} after {acceptedAfterRevocation[i]} accepted calls"));
            output.WriteLine($"access token refused after revocation on instance 0 — {report}");
            Assert.All(refusedAfter, t => Assert.True(t is { } v && v <= RevocationBound, $"bound {RevocationBound.TotalSeconds} s: {report}"));

            // The grant is gone everywhere: the refresh token no longer works on another instance either.
            using var onInstance2 = new ConnectorDriver(Cluster.Instances[2].Socket, Cluster.Origin);
            using var refresh = await onInstance2.RefreshAsync(clientId, tokens.GetProperty("refresh_token").GetString()!);
            Assert.Equal(HttpStatusCode.BadRequest, refresh.StatusCode);
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public async Task RestartingOneInstance_LosesNothing()
    {
        using var connector = new ConnectorDriver(new Uri(Cluster.Origin), Cluster.Origin);
        var (clientId, tokens) = await connector.ConnectAsync(ScaleClusterFixture.UserName);
        var access = tokens.GetProperty("access_token").GetString()!;
        var restarted = Cluster.Instances[2];
        var marker = "pangolin" + Guid.NewGuid().ToString("N")[..8];
        var before = $"Alice's {marker} notebook was written before the restart.";
        var during = $"Alice's {marker} sketchbook was written while instance 2 was down.";

        using (var direct = Cluster.Direct(restarted))
        {
            var session = await RawMcpSession.StartAsync(direct, access);
            await session.AddAsync(before);
            Assert.Contains(before, await session.SearchAsync(marker));
        }

        await restarted.KillAsync();
        using (var other = Cluster.Direct(Cluster.Instances[0]))
        {
            await (await RawMcpSession.StartAsync(other, fixture.ApiKey)).AddAsync(during);
        }

        restarted.Start();
        await restarted.WaitHealthyAsync(ScaleCluster.StartTimeout);

        using (var direct = Cluster.Direct(restarted))
        {
            // The OAuth access token and the API key from before the restart both work on the restarted instance, and
            // its search (rebuilt from the database) finds what was written before and while it was down.
            foreach (var credential in new[] { access, fixture.ApiKey })
            {
                var found = await (await RawMcpSession.StartAsync(direct, credential)).SearchAsync(marker);
                Assert.Contains(before, found);
                Assert.Contains(during, found);
            }

            // The refresh token too, redeemed on the restarted instance.
            using var onRestarted = new ConnectorDriver(restarted.Socket, Cluster.Origin);
            using var refreshed = await onRestarted.RefreshAsync(clientId, tokens.GetProperty("refresh_token").GetString()!);
            Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        }

        // Through the balancer, round robin includes the restarted instance again and every request succeeds.
        using var balanced = Cluster.Balanced();
        var served = new List<string?>();
        for (var i = 0; i < 2 * Cluster.Instances.Count; i++)
        {
            var (status, upstream) = await RawMcpSession.ProbeAsync(balanced, access);
            Assert.True(status == HttpStatusCode.OK, $"{upstream} answered {(int)status}");
            served.Add(upstream);
        }

        Assert.Contains(restarted.UpstreamName, served);
    }

    [Fact]
    public async Task TypeScriptSdkV2Client_OnMcp20260728WithoutSessions_CallsToolsThroughRoundRobin_InHybridMode()
    {
        var (exitCode, summary, log) = await NodeClients.RunBearerClientAsync("v2", Cluster.McpUrl, fixture.ApiKey, rounds: 3, negotiation: "auto");
        output.WriteLine(log);
        Assert.True(exitCode == 0, $"the v2 client failed: {log}");
        Assert.Equal("2026-07-28", summary.GetProperty("protocolVersion").GetString());
        Assert.Equal("modern", summary.GetProperty("era").GetString());
        Assert.False(summary.TryGetProperty("sessionId", out var session) && session.ValueKind == JsonValueKind.String, "a 2026-07-28 client got a session");
        Assert.Equal(7, summary.GetProperty("calls").GetInt32()); // tools/list, then 3 × (add_memories, search_memory)
        var upstreams = summary.GetProperty("upstreams").EnumerateArray().Select(u => u.GetString()).Distinct().ToList();
        Assert.True(upstreams.Count >= 2, $"all requests went to {string.Join(", ", upstreams)}");
    }

    [Fact]
    public async Task SessionClients_InHybridMode_FailThroughRoundRobin_WithoutStickyRouting()
    {
        // Recorded behaviour, not a wish: a client that starts with initialize gets a session on the instance that
        // answered, and the next request, on another instance, finds no such session.
        foreach (var (sdk, negotiation) in new[] { ("v1", "legacy"), ("v2", "legacy") })
        {
            var (exitCode, summary, log) = await NodeClients.RunBearerClientAsync(sdk, Cluster.McpUrl, fixture.ApiKey, rounds: 1, negotiation: negotiation);
            output.WriteLine(log);
            Assert.Equal(1, exitCode);
            Assert.Contains("Session not found", summary.GetProperty("error").GetString());
            var statuses = summary.GetProperty("statuses").EnumerateArray().Select(s => s.GetInt32()).ToList();
            Assert.Equal(200, statuses[0]);
            Assert.Contains(404, statuses);
            var upstreams = summary.GetProperty("upstreams").EnumerateArray().Select(u => u.GetString()).ToList();
            Assert.NotEqual(upstreams[0], upstreams[statuses.IndexOf(404)]);
        }
    }

    [Fact]
    public async Task SessionClients_InHybridMode_WorkWhenTheBalancerRoutesEachCredentialToOneInstance()
    {
        // A second nginx over the same instances, choosing the instance by a hash of the Authorization header, and
        // passing the public origin's Host (it listens on another port).
        await using var sticky = await NginxBalancer.StartAsync(
            ScaleCluster.FreePort(), [.. Cluster.Instances.Select(i => i.Port)], "hash $http_authorization consistent;", new Uri(Cluster.Origin).Authority);
        foreach (var (sdk, negotiation) in new[] { ("v1", "legacy"), ("v2", "legacy") })
        {
            var (exitCode, summary, log) = await NodeClients.RunBearerClientAsync(sdk, sticky.Origin + "/mcp", fixture.ApiKey, rounds: 2, negotiation: negotiation);
            output.WriteLine(log);
            Assert.True(exitCode == 0, $"{sdk} ({negotiation}) failed behind credential-hash routing: {log}\n{sticky.Log}");
            Assert.Single(summary.GetProperty("upstreams").EnumerateArray().Select(u => u.GetString()).Distinct());
        }
    }

    /// <summary>An MCP session (Hybrid: one per instance, in its memory) on each instance, straight to its port.</summary>
    private async Task<List<RawMcpSession>> DirectSessionsAsync(string bearer)
    {
        var sessions = new List<RawMcpSession>();
        foreach (var instance in Cluster.Instances)
        {
            // The clients stay open for the test's lifetime; a handful per test.
            sessions.Add(await RawMcpSession.StartAsync(Cluster.Direct(instance), bearer));
        }

        return sessions;
    }

    private static string Upstream(HttpResponseMessage response) =>
        response.Headers.TryGetValues(NginxBalancer.UpstreamHeader, out var values) ? values.First() : "(no upstream header)";
}
