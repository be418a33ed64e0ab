using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Mnemo.Auth.Accounts;
using Mnemo.Server.Hosting;

namespace Mnemo.Server.Tests.OAuth;

/// <summary>
/// A real Mnemo on a real Kestrel port for OAuth tests, with hooks the shared test server does not
/// need: configuration, service overrides (the client-metadata fetcher's handler), a kept data folder
/// (restart and two-process tests).
/// </summary>
public sealed class OAuthTestServer : IAsyncDisposable
{
    public const string Password = "correct horse battery staple";

    private readonly WebApplication _app;
    private readonly bool _ownsDataDir;

    private OAuthTestServer(WebApplication app, string dataDir, Uri baseUrl, bool ownsDataDir)
    {
        _app = app;
        DataDir = dataDir;
        BaseUrl = baseUrl;
        _ownsDataDir = ownsDataDir;
    }

    public string DataDir { get; }

    /// <summary>Where the socket is (always 127.0.0.1:port).</summary>
    public Uri BaseUrl { get; }

    /// <summary>The origin clients see: the public URL when configured, else the socket address.</summary>
    public string Origin { get; private init; } = "";

    public string McpUrl => Origin + "/mcp";

    public IServiceProvider Services => _app.Services;

    public static async Task<OAuthTestServer> StartAsync(
        IDictionary<string, string?>? configuration = null,
        Action<IServiceCollection>? services = null,
        string? dataDir = null,
        string urls = "http://127.0.0.1:0")
    {
        var ownsDataDir = dataDir is null;
        dataDir ??= Directory.CreateTempSubdirectory("mnemo-oauth-test-").FullName;
        var settings = new ServeSettings(urls, dataDir, Conformance: false, []);
        var app = await MnemoHost.CreateAsync(settings, builder =>
        {
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            if (configuration is not null)
            {
                builder.Configuration.AddInMemoryCollection(configuration);
            }

            services?.Invoke(builder.Services);
        });
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        var publicUrl = configuration is not null && configuration.TryGetValue("Mnemo:PublicUrl", out var p) ? p : null;
        return new OAuthTestServer(app, dataDir, address, ownsDataDir)
        {
            Origin = publicUrl ?? address.GetLeftPart(UriPartial.Authority),
        };
    }

    public async Task CreateUserAsync(string userName)
    {
        await using var scope = Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<IAccountService>().CreateAsync(userName, null, Password);
    }

    private bool _disposed;

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (_ownsDataDir)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(DataDir, recursive: true);
            }
            catch (IOException)
            {
                // A file still held by a closing connection; the OS temp cleaner takes it.
            }
        }
    }
}
