using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Mnemo.Auth.OAuth.Clients;

namespace Mnemo.Server.Tests.OAuth;

/// <summary>RFC 7662 introspection for confidential clients (and resource servers registered as such); public clients cannot introspect.</summary>
public sealed class IntrospectionTests
{
    [Fact]
    public async Task Introspect_ReportsAnActiveTokenToItsConfidentialClient_AndInactiveAfterRevocation()
    {
        await using var server = await OAuthTestServer.StartAsync();
        await server.CreateUserAsync("alice");
        RegisteredOAuthClient client;
        await using (var scope = server.Services.CreateAsyncScope())
        {
            client = await scope.ServiceProvider.GetRequiredService<IOAuthClientRegistry>()
                .RegisterAsync("Confidential app", [ConnectorDriver.ClaudeCallback], confidential: true, OAuthClientOrigin.Cli);
        }

        using var connector = new ConnectorDriver(server);
        var pkce = Pkce.Create();
        var redirect = await connector.AuthorizeAsync(connector.AuthorizeUrl(client.Info.ClientId, pkce), "alice");
        using var exchange = await connector.ExchangeAsync(client.Info.ClientId, ConnectorDriver.Query(redirect)["code"], pkce.Verifier, clientSecret: client.ClientSecret);
        var tokens = await exchange.Content.ReadFromJsonAsync<JsonElement>();
        var access = tokens.GetProperty("access_token").GetString()!;

        var active = await IntrospectAsync(connector, client, access);
        Assert.True(active.GetProperty("active").GetBoolean());
        Assert.True(active.GetProperty("active").GetBoolean(), active.ToString());
        Assert.Equal(client.Info.ClientId, active.GetProperty("client_id").GetString());

        using var revoke = await connector.Http.PostAsync("/revoke", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["token"] = tokens.GetProperty("refresh_token").GetString()!, ["client_id"] = client.Info.ClientId, ["client_secret"] = client.ClientSecret!,
        }));
        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        Assert.False((await IntrospectAsync(connector, client, access)).GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task Introspect_IsRefusedToAPublicClient()
    {
        await using var server = await OAuthTestServer.StartAsync();
        await server.CreateUserAsync("alice");
        using var connector = new ConnectorDriver(server);
        var (clientId, tokens) = await connector.ConnectAsync("alice");

        using var response = await connector.Http.PostAsync("/introspect", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["token"] = tokens.GetProperty("access_token").GetString()!, ["client_id"] = clientId,
        }));

        Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
    }

    private static async Task<JsonElement> IntrospectAsync(ConnectorDriver connector, RegisteredOAuthClient client, string token)
    {
        using var response = await connector.Http.PostAsync("/introspect", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["token"] = token, ["client_id"] = client.Info.ClientId, ["client_secret"] = client.ClientSecret!,
        }));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
