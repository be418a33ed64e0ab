using Microsoft.Extensions.DependencyInjection;
using Mnemo.Auth.Accounts;
using Mnemo.Server.Tests.Infrastructure;

namespace Mnemo.Server.Tests.OAuth;

/// <summary>
/// The shared <see cref="MnemoTestServer"/> seen the way OAuth tests need it: the origin clients see (the public URL
/// when configured), the MCP URL as the resource string, and users with a known password for the login page.
/// </summary>
public sealed class OAuthTestServer : IAsyncDisposable
{
    public const string Password = "correct horse battery staple";

    private readonly MnemoTestServer _server;

    private OAuthTestServer(MnemoTestServer server, string origin)
    {
        _server = server;
        Origin = origin;
    }

    public string DataDir => _server.DataDir;

    /// <summary>Where this server's data is (a data folder, and on PostgreSQL runs a database of its own).</summary>
    public TestDataStore Store => _server.Store;

    /// <summary>Where the socket is (always 127.0.0.1:port).</summary>
    public Uri BaseUrl => _server.BaseUrl;

    /// <summary>The origin clients see: the public URL when configured, else the socket address.</summary>
    public string Origin { get; }

    public string McpUrl => Origin + "/mcp";

    public IServiceProvider Services => _server.Services;

    public static async Task<OAuthTestServer> StartAsync(
        IDictionary<string, string?>? configuration = null,
        Action<IServiceCollection>? services = null,
        TestDataStore? store = null,
        string urls = "http://127.0.0.1:0")
    {
        var server = await MnemoTestServer.StartAsync(configuration: configuration, store: store, services: services, urls: urls);
        var publicUrl = configuration is not null && configuration.TryGetValue("Mnemo:PublicUrl", out var p) ? p : null;
        return new OAuthTestServer(server, publicUrl ?? server.BaseUrl.GetLeftPart(UriPartial.Authority));
    }

    public async Task CreateUserAsync(string userName)
    {
        await using var scope = Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<IAccountService>().CreateAsync(userName, null, Password);
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
