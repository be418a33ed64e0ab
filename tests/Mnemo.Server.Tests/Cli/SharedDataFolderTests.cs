using System.Net.Http.Json;
using System.Text.Json;
using Mnemo.Server.Tests.Infrastructure;
using ModelContextProtocol.Client;

namespace Mnemo.Server.Tests.Cli;

/// <summary>
/// Two <c>mnemo serve</c> processes on one data folder (e.g. two instances behind a load balancer, or a restart that
/// overlaps): each keeps its own in-memory search indexes, and each must follow what the other wrote.
/// </summary>
public sealed class SharedDataFolderTests
{
    [Fact]
    public async Task SemanticSearch_NeverReturnsAMemoryDeletedByAnotherProcess()
    {
        await using var store = await TestDataStore.CreateAsync("mnemo-two-");
        Assert.Equal(0, (await MnemoProcess.RunOnAsync(store, null, "users", "add", "alice")).ExitCode);
        var key = (await MnemoProcess.RunOnAsync(store, null, "keys", "create", "alice")).StdOut.Trim();
        await using var first = await MnemoProcess.StartServerAsync(store);
        await using var second = await MnemoProcess.StartServerAsync(store);
        await WaitForModelAsync(first);
        await WaitForModelAsync(second);
        await using var writer = await ConnectAsync(first, key);
        await using var reader = await ConnectAsync(second, key);

        // No keyword of the query occurs in any memory: whatever the reader finds, its vectors found.
        var added = (await writer.CallAsync("add_memories", new { memories = new[] { "I adopted a puppy last week" } })).EnsureOk();
        var puppy = added.Structured().GetProperty("results")[0].GetProperty("id").GetString();
        await writer.CallAsync("add_memories", new { memories = new[] { "The quarterly budget review is on Monday" } });
        await writer.CallAsync("add_memories", new { memories = new[] { "My favourite colour is dark green" } });
        Assert.Equal([puppy], await TopIdsAsync(reader, "new dog", limit: 1));

        (await writer.CallAsync("delete_memories", new { ids = new[] { puppy } })).EnsureOk();

        // The reader's vector index must have dropped it itself. Had it kept the vectors, the memory would still rank
        // first, be dropped when its row is re-read, and the answer would be empty instead of the next best memory.
        var after = await TopIdsAsync(reader, "new dog", limit: 1);
        Assert.Single(after);
        Assert.NotEqual(puppy, after[0]);
        Assert.DoesNotContain(puppy, await TopIdsAsync(reader, "new dog", limit: 10));
    }

    private static async Task<List<string?>> TopIdsAsync(McpClient client, string query, int limit)
    {
        var found = (await client.CallAsync("search_memory", new { query, limit })).EnsureOk();
        return [.. found.Structured().GetProperty("results").EnumerateArray().Select(r => r.GetProperty("id").GetString())];
    }

    private static async Task<McpClient> ConnectAsync(MnemoProcess.ServerProcess server, string key) =>
        await McpClient.CreateAsync(new HttpClientTransport(new()
        {
            Endpoint = server.McpUrl,
            AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = $"Bearer {key}" },
        }));

    /// <summary>The model loads in the background after start-up; until then search is keyword-only.</summary>
    private static async Task WaitForModelAsync(MnemoProcess.ServerProcess server)
    {
        using var http = new HttpClient { BaseAddress = server.BaseUrl };
        for (var deadline = DateTime.UtcNow.AddSeconds(60); DateTime.UtcNow < deadline; await Task.Delay(100))
        {
            var status = await http.GetFromJsonAsync<JsonElement>("/status");
            if (status.GetProperty("components").GetProperty("search").GetProperty("detail").GetString()?.StartsWith("keyword + semantic", StringComparison.Ordinal) == true)
            {
                return;
            }
        }

        throw new TimeoutException("the embedding model did not load: " + server.Output);
    }
}
