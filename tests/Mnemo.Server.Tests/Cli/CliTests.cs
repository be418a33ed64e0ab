using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Mnemo.Auth.Accounts;
using Mnemo.Server.Tests.Infrastructure;
using ModelContextProtocol.Client;

namespace Mnemo.Server.Tests.Cli;

/// <summary>The <c>mnemo</c> command line as scripts use it: stdout carries results, stderr messages, exit codes 0/1/2.</summary>
public sealed class CliTests : IAsyncLifetime
{
    private TestDataStore _store = null!;

    public async Task InitializeAsync() => _store = await TestDataStore.CreateAsync("mnemo-cli-");

    public async Task DisposeAsync() => await _store.DisposeAsync();

    [Fact]
    public async Task UsersAdd_WithPasswordStdin_StripsOnlyTheTrailingNewline()
    {
        var added = await MnemoProcess.RunOnAsync(_store, "  two spaces around  \n", "users", "add", "alice", "--password-stdin");
        Assert.Equal(0, added.ExitCode);
        Assert.Equal("", added.StdOut);

        await using var server = await MnemoTestServer.StartAsync(store: _store);
        await using var scope = server.Services.CreateAsyncScope();
        var accounts = scope.ServiceProvider.GetRequiredService<IAccountService>();
        Assert.NotNull(await accounts.VerifyPasswordAsync("alice", "  two spaces around  "));
        Assert.Null(await accounts.VerifyPasswordAsync("alice", "two spaces around"));
    }

    [Fact]
    public async Task UsersAdd_WithShortPassword_FailsWithExit1AndChangesNothing()
    {
        var added = await MnemoProcess.RunOnAsync(_store, "short\n", "users", "add", "alice", "--password-stdin");
        var list = await MnemoProcess.RunOnAsync(_store, null, "users", "list");

        Assert.Equal(1, added.ExitCode);
        Assert.Contains("12", added.StdErr);
        Assert.DoesNotContain("alice", list.StdOut);
    }

    [Fact]
    public async Task UsersAdd_WithoutPassword_PrintsAGeneratedPasswordOnceOnStdout()
    {
        var added = await MnemoProcess.RunOnAsync(_store, null, "users", "add", "alice", "--email", "alice@example.com");

        Assert.Equal(0, added.ExitCode);
        var password = added.StdOut.TrimEnd('\n');
        Assert.DoesNotContain('\n', password);
        Assert.True(password.Length >= 12);
        var list = await MnemoProcess.RunOnAsync(_store, null, "users", "list");
        Assert.Contains("alice@example.com", list.StdOut);
        Assert.DoesNotContain(password, list.StdOut);
    }

    [Fact]
    public async Task KeysCreate_WritesOnlyTheKeyAndANewline_AndTheKeyWorks()
    {
        Assert.Equal(0, (await MnemoProcess.RunOnAsync(_store, null, "users", "add", "alice")).ExitCode);

        // --data-dir before the arguments, after them, and between: anywhere after the verb.
        var created = await MnemoProcess.RunOnAsync(_store, null, "keys", "create", "alice", "--label", "laptop");

        Assert.Equal(0, created.ExitCode);
        Assert.Matches("^mnemo_[A-Za-z0-9_-]+\n$", created.StdOut);
        var key = created.StdOut.TrimEnd('\n');
        var listed = await MnemoProcess.RunOnAsync(_store, null, "keys", "list", "alice");
        Assert.Contains("laptop", listed.StdOut);
        Assert.DoesNotContain(key, listed.StdOut);

        await using var server = await MnemoTestServer.StartAsync(store: _store);
        await using var client = await server.ConnectAsync(key);
        (await client.CallAsync("add_memories", new { memories = new[] { "Works from the CLI." } })).EnsureOk();
    }

    [Fact]
    public async Task DataVerbs_WorkWhileServeRunsOnTheSameDirectory()
    {
        await using var serve = await MnemoProcess.StartServerAsync(_store);

        Assert.Equal(0, (await MnemoProcess.RunOnAsync(_store, null, "users", "add", "alice")).ExitCode);
        var key = (await MnemoProcess.RunOnAsync(_store, null, "keys", "create", "alice")).StdOut.Trim();
        using var http = new HttpClient { BaseAddress = serve.BaseUrl };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/mcp")
        {
            Content = new StringContent("""{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"cli-test","version":"1"}}}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var keyId = (await MnemoProcess.RunOnAsync(_store, null, "keys", "list", "alice")).StdOut.Split('\n')[1].Split(' ')[0];
        Assert.Equal(0, (await MnemoProcess.RunOnAsync(_store, null, "keys", "revoke", keyId)).ExitCode);
        using var again = new HttpRequestMessage(HttpMethod.Post, "/mcp") { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
        again.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var revoked = await http.SendAsync(again);
        Assert.Equal(HttpStatusCode.Unauthorized, revoked.StatusCode);
    }

    [Fact]
    public async Task UsersDisableAndDelete_StopTheirKeysAndEraseTheirMemories()
    {
        Assert.Equal(0, (await MnemoProcess.RunOnAsync(_store, null, "users", "add", "alice")).ExitCode);
        Assert.Equal(0, (await MnemoProcess.RunOnAsync(_store, null, "users", "add", "bob")).ExitCode);
        var aliceKey = (await MnemoProcess.RunOnAsync(_store, null, "keys", "create", "alice")).StdOut.Trim();
        var bobKey = (await MnemoProcess.RunOnAsync(_store, null, "keys", "create", "bob")).StdOut.Trim();
        await using (var server = await MnemoTestServer.StartAsync(store: _store))
        {
            await using var alice = await server.ConnectAsync(aliceKey);
            (await alice.CallAsync("add_memories", new { memories = new[] { "Alice memory." } })).EnsureOk();
            await using var bob = await server.ConnectAsync(bobKey);
            (await bob.CallAsync("add_memories", new { memories = new[] { "Bob memory." } })).EnsureOk();
        }

        Assert.Equal(0, (await MnemoProcess.RunOnAsync(_store, null, "users", "disable", "bob")).ExitCode);
        var deleted = await MnemoProcess.RunOnAsync(_store, null, "users", "delete", "alice");
        Assert.Equal(0, deleted.ExitCode);
        Assert.Contains("1 memories", deleted.StdErr);

        await using var after = await MnemoTestServer.StartAsync(store: _store);
        using var http = after.CreateHttpClient(bobKey);
        using var response = await http.PostAsync("/mcp", new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("0", Convert.ToString(await ScalarAsync("SELECT count(*) FROM memories WHERE text = 'Alice memory.'")));
        Assert.Equal("1", Convert.ToString(await ScalarAsync("SELECT count(*) FROM memories WHERE text = 'Bob memory.'")));
    }

    [Theory]
    [InlineData(2, "users", "frobnicate")]
    [InlineData(2, "keys")]
    [InlineData(2, "users", "add")]
    [InlineData(2, "stray")]
    [InlineData(1, "keys", "create", "nobody")]
    [InlineData(1, "keys", "revoke", "key_doesnotexist")]
    [InlineData(1, "users", "disable", "nobody")]
    public async Task ExitCodes_AreOneForFailuresAndTwoForUsage(int expected, params string[] args)
    {
        var result = await MnemoProcess.RunOnAsync(_store, null, args);

        Assert.Equal(expected, result.ExitCode);
        Assert.Equal("", result.StdOut);
        Assert.StartsWith("mnemo:", result.StdErr.TrimStart());
    }

    [Fact]
    public async Task Serve_PassesUnknownKeyValueOptionsToConfiguration()
    {
        await using var serve = await MnemoProcess.StartServerAsync(_store, "--Mnemo:PublicUrl=https://mnemo.example.com");
        using var http = new HttpClient { BaseAddress = serve.BaseUrl };

        using var loopback = await http.GetAsync("/status");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/status");
        request.Headers.Host = "mnemo.example.com";
        using var publicHost = await http.SendAsync(request);

        // With a public URL configured, only its host is answered: the option reached configuration.
        Assert.Equal(HttpStatusCode.BadRequest, loopback.StatusCode);
        Assert.Equal(HttpStatusCode.OK, publicHost.StatusCode);
    }

    [Fact]
    public async Task Serve_WithInvalidPublicUrl_FailsAtStartupNamingTheSetting()
    {
        var result = await MnemoProcess.RunOnAsync(_store, null, "serve", "--urls", "http://127.0.0.1:0", "--Mnemo:PublicUrl=https://mnemo.example.com/path/");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("Mnemo:PublicUrl", result.StdErr + result.StdOut);
    }

    [Fact]
    public async Task Version_IsPrinted()
    {
        var result = await MnemoProcess.RunAsync(null, "--version");

        Assert.Equal(0, result.ExitCode);
        Assert.Matches(@"^\d+\.\d+\.\d+", result.StdOut);
    }

    private async Task<object?> ScalarAsync(string sql)
    {
        await using var connection = await _store.OpenConnectionAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }
}
