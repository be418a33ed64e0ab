using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http;
using Mnemo.Auth.OAuth.Clients;

namespace Mnemo.Server.Tests.OAuth;

/// <summary>
/// Serves client ID metadata documents in place of the internet: it replaces the fetcher's primary
/// handler (the socket layer) and the DNS answers. The SSRF guard handler still runs in front of it.
/// </summary>
public sealed class FakeMetadataDocuments : HttpMessageHandler
{
    public const string ClaudeClientId = "https://claude.ai/oauth/mcp-oauth-client-metadata";

    private readonly ConcurrentDictionary<string, Func<HttpResponseMessage>> _documents = new(StringComparer.Ordinal);

    /// <summary>Every URL that reached the socket layer, i.e. got past the guard.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>Host → addresses, as DNS would answer. Unknown hosts do not resolve.</summary>
    public ConcurrentDictionary<string, IPAddress[]> Dns { get; } = new(StringComparer.OrdinalIgnoreCase)
    {
        ["claude.ai"] = [IPAddress.Parse("160.79.104.10")],
    };

    public static FakeMetadataDocuments WithClaude()
    {
        var fake = new FakeMetadataDocuments();
        fake.Serve(ClaudeClientId, $$"""
            {"client_id":"{{ClaudeClientId}}","client_name":"Claude","client_uri":"https://claude.ai",
             "redirect_uris":["https://claude.ai/api/mcp/auth_callback","https://claude.com/api/mcp/auth_callback"],
             "grant_types":["authorization_code","refresh_token"],"response_types":["code"],"token_endpoint_auth_method":"none"}
            """);
        return fake;
    }

    public void Serve(string url, string json, string? cacheControl = "max-age=3600") =>
        _documents[url] = () =>
        {
            var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
            if (cacheControl is not null)
            {
                response.Headers.TryAddWithoutValidation("Cache-Control", cacheControl);
            }

            return response;
        };

    public void Serve(string url, Func<HttpResponseMessage> response) => _documents[url] = response;

    /// <summary>Plugs this fake in: the resolver and the primary handler of the fetcher's client.</summary>
    public void Register(IServiceCollection services)
    {
        services.AddSingleton<IHostAddressResolver>(new Resolver(this));
        services.PostConfigure<HttpClientFactoryOptions>(ClientMetadataDocumentFetcher.HttpClientName,
            options => options.HttpMessageHandlerBuilderActions.Add(builder => builder.PrimaryHandler = this));
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var url = request.RequestUri!.ToString();
        Requests.Enqueue(url);
        return Task.FromResult(_documents.TryGetValue(url, out var document) ? document() : new HttpResponseMessage(HttpStatusCode.NotFound));
    }

    private sealed class Resolver(FakeMetadataDocuments owner) : IHostAddressResolver
    {
        public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) =>
            owner.Dns.TryGetValue(host, out var addresses)
                ? Task.FromResult(addresses)
                : throw new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.HostNotFound);
    }
}
