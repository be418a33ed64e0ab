using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Mnemo.Auth.OAuth.Keys;
using Mnemo.Server.Tests.Infrastructure;

namespace Mnemo.Server.Tests.Cli;

/// <summary><c>mnemo signing-keys list|rotate</c>, run as a separate process next to a running server.</summary>
public sealed class SigningKeysCommandTests : IAsyncLifetime
{
    private TestDataStore _store = null!;

    public async Task InitializeAsync() => _store = await TestDataStore.CreateAsync("mnemo-cli-keys-");

    public async Task DisposeAsync() => await _store.DisposeAsync();

    [Fact]
    public async Task Rotate_PublishesKeysARunningServerLoads_AndNowMakesThemSign_WhileListShowsNoKeyMaterial()
    {
        await using var server = await MnemoTestServer.StartAsync(store: _store);
        var ring = server.Services.GetRequiredService<ServerKeyRing>();

        var rotated = await MnemoProcess.RunOnAsync(_store, null, "signing-keys", "rotate");
        Assert.Equal(0, rotated.ExitCode);
        var next = rotated.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, next.Length);
        var nextSigning = Assert.Single(next, id => id.StartsWith("mnemo-sig-", StringComparison.Ordinal));

        // What the server's once-a-minute maintenance does: the key made (and protected) by the CLI is loaded and published.
        Assert.True(await ring.SyncAsync(maintain: false));
        using var http = server.CreateHttpClient();
        var jwks = await http.GetFromJsonAsync<JsonElement>("/.well-known/jwks");
        Assert.Contains(nextSigning, jwks.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("kid").GetString()));
        Assert.Equal("mnemo-sig-1", ring.ActiveKeyId(ServerKeySchedule.Signing, DateTimeOffset.UtcNow));

        var listed = await MnemoProcess.RunOnAsync(_store, null, "signing-keys", "list");
        Assert.Equal(0, listed.ExitCode);
        Assert.Matches($@"{nextSigning}\s+sig\s+.*\s+next\n", listed.StdOut);
        Assert.Matches(@"mnemo-sig-1\s+sig\s+.*\s+active\n", listed.StdOut);
        foreach (var secret in await ProtectedKeysAsync())
        {
            Assert.DoesNotContain(secret[..40], listed.StdOut + listed.StdErr);
        }

        var now = await MnemoProcess.RunOnAsync(_store, null, "signing-keys", "rotate", "--now");
        Assert.Equal(0, now.ExitCode);
        var nowSigning = Assert.Single(now.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries), id => id.StartsWith("mnemo-sig-", StringComparison.Ordinal));
        Assert.True(await ring.SyncAsync(maintain: false));
        Assert.Equal(nowSigning, ring.ActiveKeyId(ServerKeySchedule.Signing, DateTimeOffset.UtcNow));
        var after = await MnemoProcess.RunOnAsync(_store, null, "signing-keys", "list");
        Assert.DoesNotContain(nextSigning, after.StdOut); // a waiting key never signed anything: a rotation replaces it
        Assert.Matches(@"mnemo-sig-1\s+sig\s+.*\s+retiring\n", after.StdOut);
    }

    [Theory]
    [InlineData("signing-keys")]
    [InlineData("signing-keys", "rotate", "--later")]
    [InlineData("signing-keys", "list", "extra")]
    public async Task BadInput_ExitsWithTwoAndAUsageMessage(params string[] args)
    {
        var result = await MnemoProcess.RunOnAsync(_store, null, args);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("", result.StdOut);
        Assert.StartsWith("mnemo:", result.StdErr.TrimStart());
    }

    private async Task<List<string>> ProtectedKeysAsync()
    {
        await using var connection = await _store.OpenConnectionAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT protected_key FROM oauth_server_keys";
        List<string> keys = [];
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            keys.Add(reader.GetString(0));
        }

        return keys;
    }
}
