using System.Text.Json;
using Mnemo.Server.Tests.Infrastructure;
using ModelContextProtocol.Client;

namespace Mnemo.Server.Tests.Mcp;

/// <summary>The memory tools through the official C# MCP client over a real port, with an API key.</summary>
public sealed class MemoryToolsFlowTests
{
    [Fact]
    public async Task Tools_AddSearchListUpdateDelete_WorkEndToEnd()
    {
        await using var server = await MnemoTestServer.StartAsync();
        var key = await server.CreateUserWithKeyAsync("alice");
        await using var client = await server.ConnectAsync(key);

        var added = await client.CallAsync("add_memories", new
        {
            memories = new[] { "Alice drinks her coffee black.", "Alice's sister Zoë lives in Montréal." },
            tags = new[] { "family" },
            occurred_at = "2025-03-14T09:30:00Z",
        });
        added.EnsureOk();
        var results = added.Structured().GetProperty("results");
        Assert.Equal(2, results.GetArrayLength());
        Assert.All(results.EnumerateArray(), r => Assert.Equal("added", r.GetProperty("status").GetString()));
        var coffeeId = results[0].GetProperty("id").GetString()!;
        var sisterId = results[1].GetProperty("id").GetString()!;

        var search = await client.CallAsync("search_memory", new { query = "Where does Zoë live?" });
        search.EnsureOk();
        var hits = search.Structured().GetProperty("results");
        Assert.Equal(sisterId, hits[0].GetProperty("id").GetString());
        // Verbatim: apostrophes and non-ASCII reach the model unescaped, in text and structured content.
        Assert.Contains("Alice's sister Zoë lives in Montréal.", search.Text());
        Assert.Equal("Alice's sister Zoë lives in Montréal.", hits[0].GetProperty("text").GetString());
        Assert.Equal(new[] { "family" }, hits[0].GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal("mnemo-tests", hits[0].GetProperty("app").GetString());

        var list = await client.CallAsync("list_memories", new { limit = 1 });
        list.EnsureOk();
        Assert.Equal(1, list.Structured().GetProperty("memories").GetArrayLength());
        var cursor = list.Structured().GetProperty("next_cursor").GetString();
        Assert.NotNull(cursor);
        var page2 = await client.CallAsync("list_memories", new { limit = 1, cursor });
        Assert.Equal(1, page2.Structured().GetProperty("memories").GetArrayLength());

        var updated = await client.CallAsync("update_memory", new { id = coffeeId, text = "Alice drinks her coffee with oat milk." });
        updated.EnsureOk();
        Assert.Equal("Alice drinks her coffee with oat milk.", updated.Structured().GetProperty("text").GetString());
        var oat = await client.CallAsync("search_memory", new { query = "oat milk" });
        Assert.Equal(coffeeId, oat.Structured().GetProperty("results")[0].GetProperty("id").GetString());

        var archived = await client.CallAsync("update_memory", new { id = coffeeId, state = "archived" });
        Assert.Equal("archived", archived.Structured().GetProperty("state").GetString());
        var activeOnly = await client.CallAsync("search_memory", new { query = "oat milk" });
        Assert.DoesNotContain(coffeeId, activeOnly.Structured().GetProperty("results").EnumerateArray().Select(r => r.GetProperty("id").GetString()));
        var archivedOnly = await client.CallAsync("search_memory", new { query = "oat milk", state = "archived" });
        Assert.Equal(coffeeId, archivedOnly.Structured().GetProperty("results")[0].GetProperty("id").GetString());

        var deleted = await client.CallAsync("delete_memories", new { ids = new[] { sisterId } });
        deleted.EnsureOk();
        Assert.Equal(1, deleted.Structured().GetProperty("deleted").GetInt32());
        var gone = await client.CallAsync("get_memory", new { id = sisterId });
        Assert.True(gone.IsError);
        Assert.Contains("No memory with id", gone.Text());

        var refused = await client.CallAsync("delete_all_memories", new { confirm = "yes" });
        Assert.True(refused.IsError);
        var all = await client.CallAsync("delete_all_memories", new { confirm = "DELETE ALL" });
        all.EnsureOk();
        var empty = await client.CallAsync("list_memories", new { state = "archived" });
        Assert.Equal(0, empty.Structured().GetProperty("memories").GetArrayLength());
    }

    [Fact]
    public async Task ToolsList_ShowsEveryToolWithAnnotations()
    {
        await using var server = await MnemoTestServer.StartAsync();
        await using var client = await server.ConnectAsync(await server.CreateUserWithKeyAsync("alice"));

        var tools = (await client.ListToolsAsync()).ToDictionary(t => t.Name);

        Assert.Equal(
            new[] { "add_memories", "delete_all_memories", "delete_memories", "fetch", "get_memory", "list_memories", "search", "search_memory", "update_memory" },
            tools.Keys.Order());
        Assert.True(tools["search_memory"].ProtocolTool.Annotations!.ReadOnlyHint);
        Assert.True(tools["delete_all_memories"].ProtocolTool.Annotations!.DestructiveHint);
        Assert.False(tools["add_memories"].ProtocolTool.Annotations!.ReadOnlyHint ?? false);
        Assert.Contains("memories", tools["add_memories"].JsonSchema.GetProperty("required").EnumerateArray().Select(e => e.GetString()));
        Assert.All(tools.Values, t => Assert.False(string.IsNullOrWhiteSpace(t.Description)));
    }

    [Fact]
    public async Task Initialize_GivesInstructionsOnWhenToSaveAndSearch()
    {
        await using var server = await MnemoTestServer.StartAsync();
        await using var client = await server.ConnectAsync(await server.CreateUserWithKeyAsync("alice"));

        Assert.Contains("search_memory", client.ServerInstructions);
        Assert.Contains("add_memories", client.ServerInstructions);
    }

    [Fact]
    public async Task App_IsTheKeyLabel_WhenTheClientGivesNoName()
    {
        await using var server = await MnemoTestServer.StartAsync();
        var key = await server.CreateUserWithKeyAsync("alice", label: "my-laptop");
        await using var client = await server.ConnectAsync(key, clientName: "");

        var added = await client.CallAsync("add_memories", new { memories = new[] { "Uses a standing desk." } });
        var id = added.Structured().GetProperty("results")[0].GetProperty("id").GetString();
        var memory = await client.CallAsync("get_memory", new { id });

        Assert.Equal("my-laptop", memory.Structured().GetProperty("app").GetString());
    }

    [Fact]
    public async Task ConnectorTools_SearchAndFetch_HaveTheChatGptShapes()
    {
        await using var server = await MnemoTestServer.StartAsync();
        await using var client = await server.ConnectAsync(await server.CreateUserWithKeyAsync("alice"));
        await client.CallAsync("add_memories", new { memories = new[] { "Favourite board game is Azul." } });

        var search = await client.CallAsync("search", new { query = "board game" });
        using var searchJson = JsonDocument.Parse(search.Text());
        var hit = searchJson.RootElement.GetProperty("results")[0];
        var id = hit.GetProperty("id").GetString()!;
        Assert.Equal("Favourite board game is Azul.", hit.GetProperty("title").GetString());
        Assert.Equal($"{server.BaseUrl.GetLeftPart(UriPartial.Authority)}/memories/{id}", hit.GetProperty("url").GetString());

        var fetch = await client.CallAsync("fetch", new { id });
        using var doc = JsonDocument.Parse(fetch.Text());
        Assert.Equal(id, doc.RootElement.GetProperty("id").GetString());
        Assert.Equal("Favourite board game is Azul.", doc.RootElement.GetProperty("text").GetString());
        Assert.True(doc.RootElement.TryGetProperty("title", out _));
        Assert.True(doc.RootElement.TryGetProperty("url", out _));
        Assert.Equal(JsonValueKind.Object, doc.RootElement.GetProperty("metadata").ValueKind);
    }

    [Fact]
    public async Task LegacySseTransport_ServesTheSameTools()
    {
        await using var server = await MnemoTestServer.StartAsync();
        var key = await server.CreateUserWithKeyAsync("alice");
        var options = new HttpClientTransportOptions
        {
            Endpoint = new Uri(server.McpUrl + "/sse"),
            TransportMode = HttpTransportMode.Sse,
            AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = $"Bearer {key}" },
        };
        await using var client = await McpClient.CreateAsync(new HttpClientTransport(options));

        var added = await client.CallAsync("add_memories", new { memories = new[] { "Old clients still work." } });

        added.EnsureOk();
    }

    [Fact]
    public async Task StatelessMode_ServesTools()
    {
        await using var server = await MnemoTestServer.StartAsync(configuration: new Dictionary<string, string?> { ["Mnemo:Mcp:Stateless"] = "true" });
        await using var client = await server.ConnectAsync(await server.CreateUserWithKeyAsync("alice"));

        await client.CallAsync("add_memories", new { memories = new[] { "Runs behind a load balancer." } });
        var search = await client.CallAsync("search_memory", new { query = "load balancer" });

        Assert.Equal(1, search.Structured().GetProperty("results").GetArrayLength());
    }
}
