using System.ComponentModel;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Mnemo.Auth.ApiKeys;
using Mnemo.Auth.OAuth;
using ModelContextProtocol.Server;

namespace Mnemo.Auth.Tests.OAuth;

/// <summary>
/// Mnemo.Auth protects any ASP.NET Core MCP server, not only Mnemo's: three calls give a toy server discovery, the
/// 401 challenge, registration, API keys and per-tool scopes with its own scope names.
/// </summary>
public sealed class ReuseByAnotherMcpServerTests
{
    [McpServerToolType]
    public sealed class EchoTools
    {
        [McpServerTool(Name = "echo", ReadOnly = true), Description("Echoes the text.")]
        public static string Echo([Description("Text.")] string text) => text;

        [McpServerTool(Name = "store", ReadOnly = false), Description("Pretends to store the text.")]
        public static string Store([Description("Text.")] string text) => "stored " + text;
    }

    [Fact]
    public async Task AnotherMcpServer_GetsDiscoveryChallengeRegistrationAndApiKeys_FromMnemoAuth()
    {
        await using var db = await AuthTestDatabase.CreateAsync();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);

        builder.Services.AddMnemoAuthorizationServer(auth =>
        {
            auth.UseDatabase(db.Database);
            auth.ResourcePath = "/tools";
            auth.Scopes.Add(new AuthScope("echo:read", "hear your echoes"));
            auth.Scopes.Add(new AuthScope("echo:write", "store your texts"));
            auth.ToolScope = ToolScopes.ByReadOnlyHint("echo:read", "echo:write");
        });
        builder.Services.AddMcpServer().WithHttpTransport(http => http.Stateless = true).WithTools<EchoTools>();

        await using var app = builder.Build();
        await AuthDatabase.MigrateAsync(app.Services);
        app.UseMnemoAuthorizationServer();
        app.MapMnemoAuthorizationServer();
        app.MapMcp("/tools").RequireAuthorization();
        await app.StartAsync();
        var origin = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        using var http = new HttpClient { BaseAddress = new Uri(origin) };
        http.DefaultRequestHeaders.Accept.ParseAdd("application/json");
        http.DefaultRequestHeaders.Accept.ParseAdd("text/event-stream");

        using var challenge = await http.PostAsync("/tools", Json("""{"jsonrpc":"2.0","id":1,"method":"tools/list"}"""));
        Assert.Equal(HttpStatusCode.Unauthorized, challenge.StatusCode);
        Assert.Contains($"resource_metadata=\"{origin}/.well-known/oauth-protected-resource/tools\"", challenge.Headers.WwwAuthenticate.ToString());

        var metadata = await http.GetFromJsonAsync<JsonElement>("/.well-known/oauth-protected-resource/tools");
        Assert.Equal(origin + "/tools", metadata.GetProperty("resource").GetString());
        var server = await http.GetFromJsonAsync<JsonElement>("/.well-known/oauth-authorization-server");
        Assert.Equal(origin, server.GetProperty("issuer").GetString());
        Assert.Equal(["echo:read", "echo:write", "offline_access"], server.GetProperty("scopes_supported").EnumerateArray().Select(e => e.GetString()));
        using var registered = await http.PostAsJsonAsync("/register", new { client_name = "x", redirect_uris = new[] { "http://127.0.0.1:9/cb" } });
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);

        await db.AccountsAsync(a => a.CreateAsync("alice", null, "correct horse battery"));
        var key = await db.KeysAsync(k => k.CreateAsync("alice", "cli"));
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key.Secret);
        using var echo = await http.PostAsync("/tools", Json("""{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hi"}}}"""));
        Assert.Equal(HttpStatusCode.OK, echo.StatusCode);
        Assert.Contains("hi", await echo.Content.ReadAsStringAsync());
    }

    [Fact]
    public void AddMnemoAuthorizationServer_WithoutStorageOrScopes_FailsAtStartUpNamingBoth()
    {
        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() =>
            new ServiceCollection().AddMnemoAuthorizationServer(_ => { }));

        Assert.Contains(error.Failures, f => f.Contains("UseSqlite", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("options.Scopes", StringComparison.Ordinal));
    }

    [Fact]
    public void AddMnemoAuthorizationServer_WithTwoScopesButNoToolMap_FailsAtStartUp()
    {
        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() =>
            new ServiceCollection().AddMnemoAuthorizationServer(auth =>
            {
                auth.UseSqlite("Data Source=:memory:");
                auth.Scopes.Add(new AuthScope("a", "a"));
                auth.Scopes.Add(new AuthScope("b", "b"));
            }));

        Assert.Contains(error.Failures, f => f.Contains("ToolScope", StringComparison.Ordinal));
    }

    [Fact]
    public async Task MapMnemoAuthorizationServer_WithoutUse_FailsFast()
    {
        await using var db = await AuthTestDatabase.CreateAsync();
        var builder = WebApplication.CreateBuilder();
        builder.Services.AddMnemoAuthorizationServer(db.Configure());
        await using var app = builder.Build();

        var error = Assert.Throws<InvalidOperationException>(() => app.MapMnemoAuthorizationServer());

        Assert.Contains("UseMnemoAuthorizationServer", error.Message);
    }

    [Fact]
    public async Task UseMnemoAuthorizationServer_WithoutAdd_FailsFast()
    {
        await using var app = WebApplication.CreateBuilder().Build();

        var error = Assert.Throws<InvalidOperationException>(() => app.UseMnemoAuthorizationServer());

        Assert.Contains("AddMnemoAuthorizationServer", error.Message);
    }

    private static StringContent Json(string body)
    {
        var content = new StringContent(body, Encoding.UTF8, "application/json");
        return content;
    }
}
