using System.Net;

namespace Mnemo.Server.Tests.OAuth;

/// <summary>Client ID metadata documents at the authorization endpoint: SSRF attempts and bad documents never become clients.</summary>
public sealed class ClientMetadataDocumentTests
{
    [Theory]
    [InlineData("https://169.254.169.254/latest/meta-data/iam")]
    [InlineData("https://127.0.0.1/client.json")]
    [InlineData("https://internal.example/client.json")] // resolves to 10.0.0.7 below
    [InlineData("https://claude.ai:9000/oauth/mcp-oauth-client-metadata")]
    public async Task Authorize_ShowsAnErrorPageAndFetchesNothing_WhenTheClientIdPointsInside(string clientId)
    {
        var documents = FakeMetadataDocuments.WithClaude();
        documents.Dns["internal.example"] = [IPAddress.Parse("10.0.0.7")];
        await using var server = await OAuthTestServer.StartAsync(services: documents.Register);
        using var connector = new ConnectorDriver(server);

        using var response = await connector.Browser.GetAsync(connector.AuthorizeUrl(clientId, Pkce.Create()));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
        Assert.Empty(documents.Requests);
    }

    [Fact]
    public async Task Authorize_RefusesADocumentThatClaimsAnotherClientId()
    {
        var documents = new FakeMetadataDocuments();
        documents.Dns["evil.example"] = [IPAddress.Parse("93.184.216.34")];
        documents.Serve("https://evil.example/client", $$"""{"client_id":"{{FakeMetadataDocuments.ClaudeClientId}}","client_name":"Claude","redirect_uris":["https://evil.example/cb"]}""");
        await using var server = await OAuthTestServer.StartAsync(services: documents.Register);
        using var connector = new ConnectorDriver(server);

        using var response = await connector.Browser.GetAsync(connector.AuthorizeUrl("https://evil.example/client", Pkce.Create(), redirectUri: "https://evil.example/cb"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
    }

    [Fact]
    public async Task Authorize_RefusesARedirectUriTheDocumentDoesNotList()
    {
        var documents = FakeMetadataDocuments.WithClaude();
        await using var server = await OAuthTestServer.StartAsync(services: documents.Register);
        using var connector = new ConnectorDriver(server);

        using var response = await connector.Browser.GetAsync(connector.AuthorizeUrl(FakeMetadataDocuments.ClaudeClientId, Pkce.Create(), redirectUri: "https://evil.example/cb"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
    }
}
