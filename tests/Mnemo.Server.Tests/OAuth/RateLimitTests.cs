using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Mnemo.Server.Tests.Infrastructure;

namespace Mnemo.Server.Tests.OAuth;

/// <summary>The limits as a client meets them: 429 in the OAuth shape with Retry-After, never on authenticated MCP calls.</summary>
public sealed class RateLimitTests
{
    [Fact]
    public async Task Register_PastThePerAddressLimit_Gets429InTheOAuthShape_WithRetryAfter()
    {
        await using var server = await OAuthTestServer.StartAsync(new Dictionary<string, string?> { ["Mnemo:Auth:RateLimits:RegisterPerMinute"] = "3" });
        using var connector = new ConnectorDriver(server);
        for (var i = 0; i < 3; i++)
        {
            await connector.RegisterAsync();
        }

        using var refused = await connector.Http.PostAsJsonAsync("/register", new { client_name = "x", redirect_uris = new[] { ConnectorDriver.ClaudeCallback } });

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), $"Retry-After: {refused.Headers.RetryAfter}");
        Assert.Equal("temporarily_unavailable", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
    }

    [Fact]
    public async Task RefusedRequests_WithEverChangingPaths_WriteOneAuditEventAMinute_NotOneEach()
    {
        await using var server = await OAuthTestServer.StartAsync(new Dictionary<string, string?> { ["Mnemo:Auth:RateLimits:RegisterPerMinute"] = "1" });
        using var connector = new ConnectorDriver(server);
        for (var i = 0; i < 20; i++)
        {
            using var _ = await connector.Http.GetAsync($"/register/mnemo-guess-{i}");
        }

        await server.Services.GetRequiredService<Mnemo.Auth.Audit.IAuditLog>().FlushAsync();
        await using var scope = server.Services.CreateAsyncScope();
        var events = await scope.ServiceProvider.GetRequiredService<Mnemo.Auth.Audit.IAuditTrail>().ListAsync(null, null, null);

        Assert.Single(events, e => e.Kind == "rate_limited");
    }

    [Fact]
    public async Task Mcp_AUserMakingHundredsOfCallsASecond_IsNeverThrottled()
    {
        // Limits as tight as they go: authenticated MCP traffic must not be counted against any of them.
        await using var server = await MnemoTestServer.StartAsync(configuration: new Dictionary<string, string?>
        {
            ["Mnemo:Auth:RateLimits:RegisterPerMinute"] = "1",
            ["Mnemo:Auth:RateLimits:PagesPerMinute"] = "1",
            ["Mnemo:Auth:RateLimits:TokenPerMinute"] = "1",
        });
        var key = await server.CreateUserWithKeyAsync("alice");
        await using var client = await server.ConnectAsync(key);
        await client.CallAsync("add_memories", new { memories = new[] { "Alice drinks her coffee black." } });

        var watch = System.Diagnostics.Stopwatch.StartNew();
        var calls = Enumerable.Range(0, 8).Select(async _ =>
        {
            for (var i = 0; i < 50; i++)
            {
                (await client.CallAsync("search_memory", new { query = "coffee" })).EnsureOk();
            }
        });
        await Task.WhenAll(calls);

        // 400 calls, all answered; the rate reached is printed, not asserted (a busy CI machine is slower).
        Console.WriteLine($"400 MCP calls in {watch.Elapsed.TotalSeconds:F2} s ({400 / watch.Elapsed.TotalSeconds:F0} calls/s), none throttled");
    }

    [Fact]
    public async Task ClientMetadataDocument_ThatFailed_IsNotFetchedAgainForAMinute()
    {
        var documents = new FakeMetadataDocuments();
        documents.Dns["broken.example"] = [IPAddress.Parse("160.79.104.20")];
        await using var server = await OAuthTestServer.StartAsync(services: documents.Register);
        using var connector = new ConnectorDriver(server);
        const string clientId = "https://broken.example/oauth/client";

        for (var i = 0; i < 5; i++)
        {
            using var response = await connector.Browser.GetAsync(connector.AuthorizeUrl(clientId, Pkce.Create(), redirectUri: "https://broken.example/cb"));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }

        Assert.Single(documents.Requests);
    }
}
