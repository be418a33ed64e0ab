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
/// Mnemo.Auth protects any ASP.NET Core MCP server, not only Mnemo's: a five-line composition gives a
/// toy server discovery, the 401 challenge, registration, API keys and per-tool scopes.
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
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Mnemo:Auth:ResourcePath"] = "/tools" });

        builder.Services.AddMnemoAuth(db.ConnectionString, builder.Configuration);
        builder.Services.AddAuthentication().AddMnemoApiKeys();
        builder.Services.AddMnemoOAuth(builder.Configuration);
        builder.Services.AddAuthorization();
        builder.Services.AddMcpServer().WithHttpTransport(http => http.Stateless = true).WithTools<EchoTools>();

        await using var app = builder.Build();
        await AuthDatabase.MigrateAsync(app.Services);
        app.UseMnemoOAuth();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseMnemoMcpScopes();
        app.MapMnemoOAuth();
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
        using var registered = await http.PostAsJsonAsync("/register", new { client_name = "x", redirect_uris = new[] { "http://127.0.0.1:9/cb" } });
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);

        await db.AccountsAsync(a => a.CreateAsync("alice", null, "correct horse battery"));
        var key = await db.KeysAsync(k => k.CreateAsync("alice", "cli"));
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key.Secret);
        using var echo = await http.PostAsync("/tools", Json("""{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hi"}}}"""));
        Assert.Equal(HttpStatusCode.OK, echo.StatusCode);
        Assert.Contains("hi", await echo.Content.ReadAsStringAsync());
    }

    private static StringContent Json(string body)
    {
        var content = new StringContent(body, Encoding.UTF8, "application/json");
        return content;
    }
}
