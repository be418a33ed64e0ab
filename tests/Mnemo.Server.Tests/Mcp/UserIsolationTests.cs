using Mnemo.Server.Tests.Infrastructure;

namespace Mnemo.Server.Tests.Mcp;

/// <summary>User A's key never reveals, changes or deletes user B's memories; B's ids behave like missing ones.</summary>
public sealed class UserIsolationTests
{
    [Fact]
    public async Task AnotherUsersMemories_AreInvisibleAndUntouchable()
    {
        await using var server = await MnemoTestServer.StartAsync();
        await using var alice = await server.ConnectAsync(await server.CreateUserWithKeyAsync("alice"));
        await using var bob = await server.ConnectAsync(await server.CreateUserWithKeyAsync("bob"));
        var added = await bob.CallAsync("add_memories", new { memories = new[] { "Bob's bank PIN hint is marmalade." } });
        var bobsId = added.Structured().GetProperty("results")[0].GetProperty("id").GetString()!;
        var before = await DatabaseFingerprint.TakeAsync(server.Store);

        var search = await alice.CallAsync("search_memory", new { query = "marmalade bank PIN hint" });
        var connectorSearch = await alice.CallAsync("search", new { query = "marmalade" });
        var list = await alice.CallAsync("list_memories");
        var get = await alice.CallAsync("get_memory", new { id = bobsId });
        var fetch = await alice.CallAsync("fetch", new { id = bobsId });
        var update = await alice.CallAsync("update_memory", new { id = bobsId, text = "hijacked" });
        var delete = await alice.CallAsync("delete_memories", new { ids = new[] { bobsId } });
        var deleteAll = await alice.CallAsync("delete_all_memories", new { confirm = "DELETE ALL" });
        var missing = await alice.CallAsync("get_memory", new { id = "0000000000000000000000000000000" });

        Assert.Equal(0, search.Structured().GetProperty("results").GetArrayLength());
        Assert.DoesNotContain(bobsId, connectorSearch.Text());
        Assert.Equal(0, list.Structured().GetProperty("memories").GetArrayLength());
        Assert.True(get.IsError);
        Assert.True(fetch.IsError);
        Assert.True(update.IsError);
        Assert.True(delete.IsError);
        Assert.Equal(0, deleteAll.Structured().GetProperty("deleted").GetInt32());
        // Indistinguishable from an id that never existed: same message shape, no hint that it belongs to someone.
        Assert.Equal(missing.Text().Replace("0000000000000000000000000000000", "ID"), get.Text().Replace(bobsId, "ID"));
        Assert.Equal(before, await DatabaseFingerprint.TakeAsync(server.Store));

        var stillThere = await bob.CallAsync("search_memory", new { query = "marmalade" });
        Assert.Equal(bobsId, stillThere.Structured().GetProperty("results")[0].GetProperty("id").GetString());
    }
}
