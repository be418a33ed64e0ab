using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Mnemo.Server.Tests.OAuth;

/// <summary>RFC 7592 read, which Claude.ai calls after registering: the registration's own token, and nobody else's, reads it back.</summary>
public sealed class RegistrationReadTests
{
    private static async Task<JsonElement> RegisterAsync(ConnectorDriver connector, string name = "Claude")
    {
        using var response = await connector.Http.PostAsJsonAsync("/register", new Dictionary<string, object>
        {
            ["client_name"] = name,
            ["redirect_uris"] = new[] { ConnectorDriver.ClaudeCallback },
            ["token_endpoint_auth_method"] = "none",
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static async Task<HttpResponseMessage> ReadAsync(ConnectorDriver connector, string uri, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await connector.Http.SendAsync(request);
    }

    [Fact]
    public async Task Registration_CarriesAReadUriAndToken_ThatReturnTheClientsMetadata()
    {
        await using var server = await OAuthTestServer.StartAsync();
        using var connector = new ConnectorDriver(server);
        var registered = await RegisterAsync(connector);
        var uri = registered.GetProperty("registration_client_uri").GetString()!;

        using var read = await ReadAsync(connector, uri, registered.GetProperty("registration_access_token").GetString());

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        var metadata = await read.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(registered.GetProperty("client_id").GetString(), metadata.GetProperty("client_id").GetString());
        Assert.Equal("Claude", metadata.GetProperty("client_name").GetString());
        Assert.Equal(ConnectorDriver.ClaudeCallback, metadata.GetProperty("redirect_uris")[0].GetString());
        Assert.Equal(uri, metadata.GetProperty("registration_client_uri").GetString());
        Assert.False(metadata.TryGetProperty("registration_access_token", out _));
        Assert.StartsWith(server.Origin + "/register/", uri);
    }

    [Fact]
    public async Task RegistrationRead_WithoutTheToken_OrWithAnotherClientsToken_Is401()
    {
        await using var server = await OAuthTestServer.StartAsync();
        using var connector = new ConnectorDriver(server);
        var mine = await RegisterAsync(connector, "mine");
        var theirs = await RegisterAsync(connector, "theirs");
        var uri = mine.GetProperty("registration_client_uri").GetString()!;

        using var none = await ReadAsync(connector, uri, null);
        using var foreign = await ReadAsync(connector, uri, theirs.GetProperty("registration_access_token").GetString());
        using var unknown = await ReadAsync(connector, "/register/mnemo-unknown", mine.GetProperty("registration_access_token").GetString());

        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, foreign.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        Assert.Equal("invalid_token", (await foreign.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
    }

    [Fact]
    public async Task RegistrationRepeated_AsClaudeDoes_ReturnsTheSameClient_AndBothTokensRead()
    {
        await using var server = await OAuthTestServer.StartAsync();
        using var connector = new ConnectorDriver(server);
        var first = await RegisterAsync(connector);
        var second = await RegisterAsync(connector);
        var uri = second.GetProperty("registration_client_uri").GetString()!;

        using var readFirst = await ReadAsync(connector, uri, first.GetProperty("registration_access_token").GetString());
        using var readSecond = await ReadAsync(connector, uri, second.GetProperty("registration_access_token").GetString());

        Assert.Equal(first.GetProperty("client_id").GetString(), second.GetProperty("client_id").GetString());
        Assert.Equal(HttpStatusCode.OK, readFirst.StatusCode);
        Assert.Equal(HttpStatusCode.OK, readSecond.StatusCode);
    }
}
