using System.Net;
using Mnemo.Server.Tests.Infrastructure;
using ModelContextProtocol.Authentication;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Mnemo.Server.Tests.OAuth;

/// <summary>
/// The official C# MCP SDK client runs its own OAuth flow (discovery, registration or metadata
/// document, PKCE, resource, iss and state checks, token exchange) against a running Mnemo; the test
/// only plays the person at the login and consent pages.
/// </summary>
public sealed class SdkClientTests
{
    private const string RedirectUri = "http://127.0.0.1:48213/callback";

    [Fact]
    public async Task SdkClient_CompletesItsOAuthFlowWithDynamicRegistration_AndCallsATool()
    {
        await using var server = await OAuthTestServer.StartAsync();
        await server.CreateUserAsync("alice");
        using var person = new ConnectorDriver(server);

        await using var client = await ConnectAsync(server, person, new ClientOAuthOptions
        {
            RedirectUri = new Uri(RedirectUri),
            DynamicClientRegistration = new DynamicClientRegistrationOptions { ClientName = "SDK test client" },
        });

        var tools = await client.ListToolsAsync();
        Assert.Contains(tools, t => t.Name == "search_memory");
        (await client.CallAsync("add_memories", new { memories = new[] { "Alice keeps bees." } })).EnsureOk();
        Assert.Contains("bees", (await client.CallAsync("search_memory", new { query = "bees" })).Text());
    }

    [Fact]
    public async Task SdkClient_CompletesItsOAuthFlowWithAClientMetadataDocument_AndCallsATool()
    {
        const string documentUrl = "https://tools.example/mcp-client.json";
        var documents = new FakeMetadataDocuments();
        documents.Dns["tools.example"] = [IPAddress.Parse("93.184.216.34")];
        documents.Serve(documentUrl, $$"""{"client_id":"{{documentUrl}}","client_name":"SDK via metadata document","redirect_uris":["{{RedirectUri}}"],"token_endpoint_auth_method":"none"}""");
        await using var server = await OAuthTestServer.StartAsync(services: documents.Register);
        await server.CreateUserAsync("alice");
        using var person = new ConnectorDriver(server);

        await using var client = await ConnectAsync(server, person, new ClientOAuthOptions
        {
            RedirectUri = new Uri(RedirectUri),
            ClientMetadataDocumentUri = new Uri(documentUrl),
        });

        (await client.CallAsync("search_memory", new { query = "anything" })).EnsureOk();
        Assert.NotEmpty(documents.Requests);
    }

    private static async Task<McpClient> ConnectAsync(OAuthTestServer server, ConnectorDriver person, ClientOAuthOptions oauth)
    {
        oauth.AuthorizationCallbackHandler = async (context, cancellationToken) =>
        {
            // The person's browser: authorize → login → consent → Allow; the SDK checks state and iss.
            var redirect = await person.AuthorizeAsync(context.AuthorizationUri.PathAndQuery, "alice");
            Assert.StartsWith(RedirectUri, redirect.ToString());
            var query = ConnectorDriver.Query(redirect);
            return new AuthorizationResult { Code = query["code"], State = query["state"], Iss = query["iss"] };
        };
        var transport = new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = new Uri(server.McpUrl),
            TransportMode = HttpTransportMode.StreamableHttp,
            OAuth = oauth,
        });
        return await McpClient.CreateAsync(transport, new McpClientOptions { ClientInfo = new Implementation { Name = "sdk-oauth-test", Version = "1.0" } });
    }
}
