using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Mnemo.Auth.Accounts;
using Mnemo.Auth.ApiKeys;
using Mnemo.Server.Hosting;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Mnemo.Server.Tests.Infrastructure;

/// <summary>
/// A real Mnemo on a real Kestrel port (127.0.0.1, port chosen by the OS) over its own <see cref="TestDataStore"/>
/// (a temporary data folder, and on a PostgreSQL run its own database). Each test starts its own, so no test depends
/// on another's data.
/// </summary>
public sealed class MnemoTestServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private readonly bool _ownsStore;

    private MnemoTestServer(WebApplication app, TestDataStore store, Uri baseUrl, bool ownsStore)
    {
        _app = app;
        _ownsStore = ownsStore;
        Store = store;
        BaseUrl = baseUrl;
    }

    /// <summary>Where this server's data is.</summary>
    public TestDataStore Store { get; }

    public string DataDir => Store.DataDir;

    public Uri BaseUrl { get; }

    public Uri McpUrl => new(BaseUrl, "/mcp");

    public IServiceProvider Services => _app.Services;

    /// <param name="configuration">Settings over the store's own (so a test can still override the database settings).</param>
    /// <param name="store">Data to keep across servers (restart, two-instance and CLI tests), disposed by the test; null: a new one, disposed with the server.</param>
    /// <param name="services">Service overrides (e.g. a fake HTTP handler). Registered before Mnemo's own, they win because Mnemo registers with TryAdd.</param>
    public static async Task<MnemoTestServer> StartAsync(
        IDictionary<string, string?>? configuration = null,
        TestDataStore? store = null,
        Action<IServiceCollection>? services = null,
        string urls = "http://127.0.0.1:0")
    {
        var ownsStore = store is null;
        store ??= await TestDataStore.CreateAsync();
        try
        {
            var settings = new ServeSettings(urls, store.DataDir, []);
            var app = await MnemoHost.CreateAsync(settings, builder =>
            {
                builder.Logging.SetMinimumLevel(LogLevel.Warning);
                builder.Configuration.AddInMemoryCollection(store.Configuration);
                if (configuration is not null)
                {
                    builder.Configuration.AddInMemoryCollection(configuration);
                }

                services?.Invoke(builder.Services);
            });
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            return new MnemoTestServer(app, store, new Uri(address), ownsStore);
        }
        catch when (ownsStore)
        {
            // A server that failed to start (tests of bad settings) leaves no database or folder behind.
            await store.DisposeAsync();
            throw;
        }
    }

    /// <summary>Creates a user and an API key for it through the same services the CLI uses.</summary>
    public async Task<string> CreateUserWithKeyAsync(string userName, string? label = "tests")
    {
        await using var scope = Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<IAccountService>().CreateAsync(userName, null, "correct horse battery staple");
        var key = await scope.ServiceProvider.GetRequiredService<IApiKeyService>().CreateAsync(userName, label);
        return key.Secret;
    }

    public HttpClient CreateHttpClient(string? key = null)
    {
        var client = new HttpClient { BaseAddress = BaseUrl };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return client;
    }

    public async Task<McpClient> ConnectAsync(string? key, HttpTransportMode mode = HttpTransportMode.StreamableHttp, string clientName = "mnemo-tests")
    {
        var options = new HttpClientTransportOptions { Endpoint = McpUrl, TransportMode = mode };
        if (key is not null)
        {
            options.AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = $"Bearer {key}" };
        }

        return await McpClient.CreateAsync(
            new HttpClientTransport(options),
            new McpClientOptions { ClientInfo = new Implementation { Name = clientName, Version = "1.0" } });
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
        if (_ownsStore)
        {
            await Store.DisposeAsync();
        }
        else
        {
            // The store lives on for the next server; its SQLite file must not stay held by this one's pool.
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        }
    }
}

/// <summary>Reading tool results the way an assistant would.</summary>
public static class ToolResultExtensions
{
    /// <summary>Fails with the tool's own message when it reported an error.</summary>
    public static CallToolResult EnsureOk(this CallToolResult result) =>
        result.IsError == true ? throw new Xunit.Sdk.XunitException($"Tool error: {result.Text()}") : result;

    public static string Text(this CallToolResult result) =>
        string.Join("\n", result.Content.OfType<TextContentBlock>().Select(b => b.Text));

    public static JsonElement Structured(this CallToolResult result) =>
        result.StructuredContent is { } s ? JsonSerializer.SerializeToElement(s) : throw new Xunit.Sdk.XunitException($"No structuredContent in: {result.Text()}");

    public static async Task<CallToolResult> CallAsync(this McpClient client, string tool, object? arguments = null)
    {
        var args = arguments is null
            ? new Dictionary<string, object?>()
            : JsonSerializer.Deserialize<Dictionary<string, object?>>(JsonSerializer.Serialize(arguments))!;
        return await client.CallToolAsync(tool, args);
    }
}
