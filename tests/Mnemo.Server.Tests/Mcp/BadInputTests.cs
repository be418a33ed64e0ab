using System.Net.Http.Json;
using System.Text.Json;
using Mnemo.Server.Tests.Infrastructure;

namespace Mnemo.Server.Tests.Mcp;

/// <summary>Input an assistant got wrong gets an isError result that says what to fix, and the database stays as it was.</summary>
public sealed class BadInputTests
{
    public static TheoryData<string, string, string> BadCalls => new()
    {
        // tool, arguments (JSON), a phrase the error must contain
        { "add_memories", """{"memories":[]}""", "1" },
        { "add_memories", """{"memories":["   "]}""", "empty" },
        { "add_memories", $$"""{"memories":["{{new string('x', 8001)}}"]}""", "8000" },
        { "add_memories", $$"""{"memories":[{{string.Join(",", Enumerable.Repeat("\"fact\"", 101))}}]}""", "100" },
        { "add_memories", """{"memories":["Valid fact.", ""]}""", "empty" },
        { "add_memories", """{"memories":["Valid fact."],"occurred_at":"last tuesday"}""", "RFC 3339" },
        { "add_memories", """{"memories":["Valid fact."],"occurred_at":"2025-13-45T00:00:00Z"}""", "RFC 3339" },
        { "add_memories", """{"memories":"not an array"}""", "memories" },
        { "add_memories", """{"memories":[1,2]}""", "memories" },
        { "search_memory", """{"query":""}""", "query" },
        { "search_memory", """{"query":"coffee","limit":0}""", "limit" },
        { "search_memory", """{"query":"coffee","limit":101}""", "limit" },
        { "search_memory", """{"query":"coffee","limit":"ten"}""", "limit" },
        { "search_memory", """{"query":"coffee","occurred_after":"yesterday"}""", "RFC 3339" },
        { "list_memories", """{"cursor":"not-a-cursor"}""", "cursor" },
        { "list_memories", """{"state":"sleeping"}""", "state" },
        { "get_memory", """{"id":"does-not-exist"}""", "No memory with id" },
        { "update_memory", """{"id":"does-not-exist","text":"New text."}""", "No memory with id" },
        { "update_memory", """{"id":"ID","text":""}""", "empty" },
        { "update_memory", """{"id":"ID"}""", "text" },
        { "update_memory", """{"id":"ID","state":"sleeping"}""", "state" },
        { "delete_memories", """{"ids":["ID","does-not-exist"]}""", "does-not-exist" },
        { "delete_memories", """{"ids":[]}""", "1" },
        { "delete_all_memories", """{"confirm":"delete all"}""", "DELETE ALL" },
    };

    [Theory]
    [MemberData(nameof(BadCalls))]
    public async Task BadInput_GetsAClearErrorAndChangesNothing(string tool, string argumentsJson, string expectedPhrase)
    {
        await using var server = await MnemoTestServer.StartAsync();
        await using var client = await server.ConnectAsync(await server.CreateUserWithKeyAsync("alice"));
        var seeded = await client.CallAsync("add_memories", new { memories = new[] { "Alice drinks her coffee black." }, tags = new[] { "food" } });
        var id = seeded.Structured().GetProperty("results")[0].GetProperty("id").GetString()!;
        var before = await DatabaseFingerprint.TakeAsync(server.Store);

        var arguments = JsonSerializer.Deserialize<Dictionary<string, object?>>(argumentsJson.Replace("\"ID\"", $"\"{id}\""))!;
        var result = await client.CallToolAsync(tool, arguments);

        Assert.True(result.IsError, $"{tool} accepted {argumentsJson}: {result.Text()}");
        Assert.True(result.Text().Contains(expectedPhrase, StringComparison.OrdinalIgnoreCase), $"'{expectedPhrase}' not in: {result.Text()}");
        Assert.Equal(before, await DatabaseFingerprint.TakeAsync(server.Store));
    }

    [Fact]
    public async Task SearchQuery_WithFts5Syntax_IsSearchedAsPlainWords()
    {
        await using var server = await MnemoTestServer.StartAsync();
        await using var client = await server.ConnectAsync(await server.CreateUserWithKeyAsync("alice"));
        await client.CallAsync("add_memories", new { memories = new[] { "Alice NEAR the sea: \"quoted\" words* here." } });

        foreach (var query in new[] { "NEAR(", "\"unbalanced", "sea*", "a OR", "^start", "col:sea", "AND NOT", "{x}" })
        {
            var result = await client.CallAsync("search_memory", new { query });
            result.EnsureOk();
        }
    }

    [Fact]
    public async Task RawJsonRpc_WithWrongArgumentTypes_ReturnsToolErrorNotServerError()
    {
        await using var server = await MnemoTestServer.StartAsync();
        await using var client = await server.ConnectAsync(await server.CreateUserWithKeyAsync("alice"));

        var result = await client.CallToolAsync("get_memory", new Dictionary<string, object?> { ["id"] = new[] { 1, 2 } });

        Assert.True(result.IsError);
        Assert.True(result.Text().Contains("'id'", StringComparison.Ordinal), result.Text());
    }
}
