using Mnemo.Server.Tests.Infrastructure;
using ModelContextProtocol.Client;

namespace Mnemo.Server.Tests.Cli;

/// <summary>A memory acknowledged by add_memories is on disk: it survives a clean restart and a kill -9 right after the answer.</summary>
public sealed class DurabilityTests
{
    [Fact]
    public async Task AcknowledgedMemory_SurvivesKill9AndRestart()
    {
        await using var store = await TestDataStore.CreateAsync("mnemo-kill-");
        Assert.Equal(0, (await MnemoProcess.RunOnAsync(store, null, "users", "add", "alice")).ExitCode);
        var key = (await MnemoProcess.RunOnAsync(store, null, "keys", "create", "alice")).StdOut.Trim();
        var headers = new Dictionary<string, string> { ["Authorization"] = $"Bearer {key}" };

        string id;
        await using (var first = await MnemoProcess.StartServerAsync(store))
        {
            await using var client = await McpClient.CreateAsync(new HttpClientTransport(new() { Endpoint = first.McpUrl, AdditionalHeaders = headers }));
            var added = (await client.CallAsync("add_memories", new { memories = new[] { "Keeps bees on the roof in Lisbon." } })).EnsureOk();
            id = added.Structured().GetProperty("results")[0].GetProperty("id").GetString()!;
            // No delay, no shutdown: the process dies the instant the acknowledgement arrived.
            await first.KillHardAsync();
        }

        await using var second = await MnemoProcess.StartServerAsync(store);
        await using var reader = await McpClient.CreateAsync(new HttpClientTransport(new() { Endpoint = second.McpUrl, AdditionalHeaders = headers }));
        var found = (await reader.CallAsync("search_memory", new { query = "bees Lisbon" })).EnsureOk();
        Assert.Equal(id, found.Structured().GetProperty("results")[0].GetProperty("id").GetString());
        var got = (await reader.CallAsync("get_memory", new { id })).EnsureOk();
        Assert.Equal("Keeps bees on the roof in Lisbon.", got.Structured().GetProperty("text").GetString());
    }
}
