using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Mnemo.Auth.ApiKeys;
using Mnemo.Server.Hosting;
using Mnemo.Server.Tests.Infrastructure;

namespace Mnemo.Server.Tests.Hosting;

/// <summary>/mcp needs a valid key in the Authorization header; failures are 401 with a JSON body.</summary>
public sealed class McpAuthenticationTests
{
    private const string Initialize = """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}""";

    private static HttpRequestMessage InitializeRequest(string? bearer = null, string path = "/mcp")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(Initialize, Encoding.UTF8, "application/json") };
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");
        if (bearer is not null)
        {
            request.Headers.Authorization = new("Bearer", bearer);
        }

        return request;
    }

    [Fact]
    public async Task Initialize_WithoutKey_Is401WithJsonBody()
    {
        await using var server = await MnemoTestServer.StartAsync();
        using var http = server.CreateHttpClient();

        using var response = await http.SendAsync(InitializeRequest());

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(string.IsNullOrEmpty(body.GetProperty("error").GetString()));
        Assert.StartsWith("Bearer", response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task Initialize_WithUnknownKey_Is401InvalidToken()
    {
        await using var server = await MnemoTestServer.StartAsync();
        using var http = server.CreateHttpClient();

        using var response = await http.SendAsync(InitializeRequest("mnemo_notARealKeyAtAll0000000000000000000000"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("invalid_token", body.GetProperty("error").GetString());
        Assert.Contains("invalid_token", response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task Initialize_WithRevokedKey_Is401()
    {
        await using var server = await MnemoTestServer.StartAsync();
        var key = await server.CreateUserWithKeyAsync("alice");
        using var http = server.CreateHttpClient();
        using (var ok = await http.SendAsync(InitializeRequest(key)))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        await using (var scope = server.Services.CreateAsyncScope())
        {
            var keys = scope.ServiceProvider.GetRequiredService<IApiKeyService>();
            var id = (await keys.ListAsync("alice")).Single().Id;
            Assert.True(await keys.RevokeAsync(id));
        }

        using var response = await http.SendAsync(InitializeRequest(key));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_token", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
    }

    [Fact]
    public async Task KeyInQueryString_IsIgnored()
    {
        await using var server = await MnemoTestServer.StartAsync();
        var key = await server.CreateUserWithKeyAsync("alice");
        using var http = server.CreateHttpClient();

        using var response = await http.SendAsync(InitializeRequest(path: $"/mcp?access_token={Uri.EscapeDataString(key)}"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    // SQLite only: it reads the database file's bytes (TokenAttackTests reads every table's rows, on both engines).
    [Fact]
    [Trait("Provider", "Sqlite")]
    public async Task Keys_AreNotStoredInPlainText()
    {
        await using var server = await MnemoTestServer.StartAsync();
        var key = await server.CreateUserWithKeyAsync("alice");
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();

        var databaseBytes = await File.ReadAllBytesAsync(Path.Combine(server.DataDir, DataDirectory.DatabaseFileName));
        var walPath = Path.Combine(server.DataDir, DataDirectory.DatabaseFileName + "-wal");
        var walBytes = File.Exists(walPath) ? await File.ReadAllBytesAsync(walPath) : [];
        var secretPart = Encoding.UTF8.GetBytes(key[^20..]);

        Assert.Equal(-1, databaseBytes.AsSpan().IndexOf(secretPart));
        Assert.Equal(-1, walBytes.AsSpan().IndexOf(secretPart));
        await using var connection = new SqliteConnection(DataDirectory.ConnectionString(server.DataDir));
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM api_keys";
        Assert.Equal(1L, await command.ExecuteScalarAsync());
    }
}
