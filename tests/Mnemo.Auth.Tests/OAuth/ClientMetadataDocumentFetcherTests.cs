using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http;
using Mnemo.Auth.OAuth;
using Mnemo.Auth.OAuth.Clients;

namespace Mnemo.Auth.Tests.OAuth;

/// <summary>SSRF through client ID metadata document URLs, and document validation.</summary>
public sealed class ClientMetadataDocumentFetcherTests
{
    private const string Url = "https://claude.ai/oauth/mcp-oauth-client-metadata";

    private sealed class FakeInternet : HttpMessageHandler
    {
        public List<string> Reached { get; } = [];

        public Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> Respond { get; set; } = (_, _) => Task.FromResult(Json(Document()));

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Reached.Add(request.RequestUri!.ToString());
            return Respond(request, cancellationToken);
        }
    }

    private sealed class FakeDns(Dictionary<string, IPAddress[]> answers) : IHostAddressResolver
    {
        public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) =>
            answers.TryGetValue(host, out var a) ? Task.FromResult(a) : throw new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.HostNotFound);
    }

    private static string Document(string clientId = Url, string extra = "") =>
        $$"""{"client_id":"{{clientId}}","client_name":"Claude","redirect_uris":["https://claude.ai/api/mcp/auth_callback"]{{extra}}}""";

    private static HttpResponseMessage Json(string body) =>
        new(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, "application/json") };

    private static (ClientMetadataDocumentFetcher Fetcher, FakeInternet Internet) Create(Dictionary<string, IPAddress[]>? dns = null)
    {
        var internet = new FakeInternet();
        var services = new ServiceCollection();
        services.AddSingleton<IHostAddressResolver>(new FakeDns(dns ?? new() { ["claude.ai"] = [IPAddress.Parse("160.79.104.10")] }));
        OAuthServiceCollectionExtensions.AddClientMetadataFetcher(services);
        services.PostConfigure<HttpClientFactoryOptions>(ClientMetadataDocumentFetcher.HttpClientName,
            o => o.HttpMessageHandlerBuilderActions.Add(b => b.PrimaryHandler = internet));
        var provider = services.BuildServiceProvider();
        return (provider.CreateScope().ServiceProvider.GetRequiredService<ClientMetadataDocumentFetcher>(), internet);
    }

    [Fact]
    public async Task Fetch_ReturnsTheDocument_WhenItIsPublicValidAndNamesItself()
    {
        var (fetcher, _) = Create();

        var document = await fetcher.FetchAsync(Url, CancellationToken.None);

        Assert.Equal("Claude", document.ClientName);
        Assert.Equal(["https://claude.ai/api/mcp/auth_callback"], document.RedirectUris);
    }

    [Theory]
    [InlineData("https://169.254.169.254/latest/meta-data")]      // cloud metadata
    [InlineData("https://127.0.0.1/client")]                      // loopback
    [InlineData("https://[::1]/client")]                          // IPv6 loopback
    [InlineData("https://[::ffff:127.0.0.1]/client")]             // IPv4-mapped loopback
    [InlineData("https://10.1.2.3/client")]                       // private
    [InlineData("https://192.168.1.1/client")]                    // private
    [InlineData("https://172.16.0.1/client")]                     // private
    [InlineData("https://100.64.0.1/client")]                     // CGNAT
    [InlineData("https://[fd00::1]/client")]                      // unique local
    [InlineData("https://[fe80::1]/client")]                      // link-local
    [InlineData("https://[64:ff9b::a9fe:a9fe]/client")]           // NAT64 of 169.254.169.254
    [InlineData("https://0.0.0.0/client")]
    [InlineData("http://claude.ai/oauth/mcp-oauth-client-metadata")] // not https
    [InlineData("https://claude.ai:8443/oauth/client")]           // non-default port
    [InlineData("https://user:pw@claude.ai/oauth/client")]        // credentials
    public async Task Fetch_NeverReachesTheNetwork_ForNonPublicOrNonHttpsTargets(string url)
    {
        var (fetcher, internet) = Create();

        await Assert.ThrowsAsync<ClientMetadataException>(() => fetcher.FetchAsync(url, CancellationToken.None));

        Assert.Empty(internet.Reached);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("169.254.169.254")]
    [InlineData("10.0.0.5")]
    public async Task Fetch_NeverReachesTheNetwork_WhenTheHostResolvesToANonPublicAddress(string address)
    {
        // Mixed answers count too: one private address is enough to refuse (rebinding between answers).
        var (fetcher, internet) = Create(new() { ["evil.example"] = [IPAddress.Parse("160.79.104.10"), IPAddress.Parse(address)] });

        await Assert.ThrowsAsync<ClientMetadataException>(() => fetcher.FetchAsync("https://evil.example/client", CancellationToken.None));

        Assert.Empty(internet.Reached);
    }

    [Fact]
    public async Task Fetch_RefusesARedirect()
    {
        var (fetcher, internet) = Create();
        internet.Respond = (_, _) =>
        {
            var redirect = new HttpResponseMessage(HttpStatusCode.Found);
            redirect.Headers.Location = new Uri("https://169.254.169.254/latest/meta-data");
            return Task.FromResult(redirect);
        };

        var error = await Assert.ThrowsAsync<ClientMetadataException>(() => fetcher.FetchAsync(Url, CancellationToken.None));

        Assert.Contains("302", error.Message);
        Assert.Single(internet.Reached);
    }

    [Fact]
    public async Task Fetch_RefusesAHugeBody()
    {
        var (fetcher, internet) = Create();
        internet.Respond = (_, _) => Task.FromResult(Json(Document(extra: $",\"padding\":\"{new string('x', 200_000)}\"")));

        var error = await Assert.ThrowsAsync<ClientMetadataException>(() => fetcher.FetchAsync(Url, CancellationToken.None));

        Assert.Contains("larger", error.Message);
    }

    [Fact]
    public async Task Fetch_GivesUp_WhenTheServerIsSlow()
    {
        var (fetcher, internet) = Create();
        internet.Respond = async (_, cancellationToken) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(30), cancellationToken); // a socket honours the token
            return Json(Document());
        };

        var started = DateTime.UtcNow;
        var error = await Assert.ThrowsAsync<ClientMetadataException>(() => fetcher.FetchAsync(Url, CancellationToken.None));

        Assert.Contains("5 seconds", error.Message);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(15));
    }

    [Theory]
    [InlineData("https://claude.ai/other-client", "", "client_id")]
    [InlineData(Url, ",\"client_secret\":\"s\"", "client_secret")]
    [InlineData(Url, ",\"token_endpoint_auth_method\":\"client_secret_basic\"", "token_endpoint_auth_method")]
    public async Task Fetch_RefusesADocument_ThatDoesNotDescribeAPublicClientAtThisUrl(string clientId, string extra, string expected)
    {
        var (fetcher, internet) = Create();
        internet.Respond = (_, _) => Task.FromResult(Json(Document(clientId, extra)));

        var error = await Assert.ThrowsAsync<ClientMetadataException>(() => fetcher.FetchAsync(Url, CancellationToken.None));

        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public async Task Fetch_RefusesADocument_WithAScriptRedirectUri()
    {
        var (fetcher, internet) = Create();
        internet.Respond = (_, _) => Task.FromResult(Json($$"""{"client_id":"{{Url}}","redirect_uris":["javascript:alert(1)"]}"""));

        await Assert.ThrowsAsync<ClientMetadataException>(() => fetcher.FetchAsync(Url, CancellationToken.None));
    }

    [Theory]
    [InlineData("max-age=60", 300)]
    [InlineData("max-age=7200", 7200)]
    [InlineData("max-age=999999", 86400)]
    [InlineData("no-store", 300)]
    public void CacheLifetime_FollowsCacheControl_WithinBounds(string header, int expectedSeconds)
    {
        var parsed = System.Net.Http.Headers.CacheControlHeaderValue.Parse(header);

        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), ClientMetadataDocumentFetcher.CacheLifetime(parsed));
    }

    [Theory]
    [InlineData("8.8.8.8", true)]
    [InlineData("160.79.104.10", true)]
    [InlineData("2606:4700::1111", true)]
    [InlineData("127.0.0.1", false)]
    [InlineData("169.254.169.254", false)]
    [InlineData("198.18.0.1", false)]
    [InlineData("224.0.0.1", false)]
    [InlineData("255.255.255.255", false)]
    [InlineData("::", false)]
    [InlineData("2002:7f00:1::", false)]
    [InlineData("2001:db8::1", false)]
    public void IsPublic_AcceptsOnlyPublicUnicast(string address, bool expected)
    {
        Assert.Equal(expected, SsrfGuard.IsPublic(IPAddress.Parse(address)));
    }
}
