using Mnemo.Memory.Memories;

namespace Mnemo.Memory.Tests;

public sealed class ChangeMemoriesTests : IAsyncLifetime
{
    private static readonly MemoryCaller Alice = new("alice", "claude");
    private static readonly MemoryCaller Bob = new("bob", "cursor");
    private MemoryTestDatabase _db = null!;

    public async Task InitializeAsync() => _db = await MemoryTestDatabase.CreateAsync();

    public async Task DisposeAsync() => await _db.DisposeAsync();

    private async Task<string> AddOne(MemoryCaller caller, string text) => (await _db.Service.AddAsync(caller, [new(text)]))[0].Id;

    [Fact]
    public async Task Get_AnotherUsersMemory_LooksExactlyLikeAMissingOne()
    {
        var bobs = await AddOne(Bob, "bob's memory");

        Assert.Null(await _db.Service.GetAsync(Alice, bobs));
        Assert.Null(await _db.Service.GetAsync(Alice, Guid.CreateVersion7().ToString()));
    }

    [Fact]
    public async Task Update_UnknownAndOtherUsersIds_FailWithTheSameMessage_AndChangeNothing()
    {
        var bobs = await AddOne(Bob, "bob's memory");
        var unknown = Guid.CreateVersion7().ToString();
        var before = await _db.SnapshotAsync();

        var other = await Assert.ThrowsAsync<MemoryValidationException>(() => _db.Service.UpdateAsync(Alice, bobs, "hijacked", null));
        var missing = await Assert.ThrowsAsync<MemoryValidationException>(() => _db.Service.UpdateAsync(Alice, unknown, "hijacked", null));

        Assert.Equal($"No memory with id '{bobs}'. Use search_memory or list_memories to find the right id.", other.Message);
        Assert.Equal(missing.Message.Replace(unknown, bobs, StringComparison.Ordinal), other.Message);
        Assert.Equal(before, await _db.SnapshotAsync());
        Assert.Equal("bob's memory", (await _db.Service.GetAsync(Bob, bobs))!.Text);
    }

    [Fact]
    public async Task Update_WithNeitherTextNorState_IsRejectedAndChangesNothing()
    {
        var id = await AddOne(Alice, "x");
        var before = await _db.SnapshotAsync();

        var error = await Assert.ThrowsAsync<MemoryValidationException>(() => _db.Service.UpdateAsync(Alice, id, null, null));

        Assert.Equal("Nothing to update: send the new text, a new state, or both.", error.Message);
        Assert.Equal(before, await _db.SnapshotAsync());
    }

    [Theory]
    [InlineData("  ")]
    [InlineData("")]
    public async Task Update_WithEmptyText_IsRejectedAndChangesNothing(string text)
    {
        var id = await AddOne(Alice, "x");
        var before = await _db.SnapshotAsync();

        var error = await Assert.ThrowsAsync<MemoryValidationException>(() => _db.Service.UpdateAsync(Alice, id, text, MemoryState.Archived));

        Assert.StartsWith("text is empty.", error.Message);
        Assert.Equal(before, await _db.SnapshotAsync());
    }

    [Fact]
    public async Task Update_Text_KeepsHistoryAndReindexesKeywords()
    {
        var id = await AddOne(Alice, "Lives in Berlin");
        _db.Time.Advance(TimeSpan.FromMinutes(5));

        var updated = await _db.Service.UpdateAsync(Alice with { App = "chatgpt" }, id, "Lives in Lisbon", null);

        Assert.Equal("Lives in Lisbon", updated.Text);
        Assert.Equal(_db.Time.Now, updated.UpdatedAt);
        Assert.True(updated.CreatedAt < updated.UpdatedAt);
        Assert.Empty(await _db.Service.SearchAsync(Alice, new SearchRequest("Berlin")));
        Assert.Single(await _db.Service.SearchAsync(Alice, new SearchRequest("Lisbon")));
        var history = Assert.Single(await _db.QueryAsync("SELECT old_text, old_state, new_text, new_state, app, at FROM memory_history"));
        Assert.Equal(["Lives in Berlin", "Active", "Lives in Lisbon", "Active", "chatgpt", _db.Time.Now.UtcTicks], history);
    }

    [Fact]
    public async Task Update_StateDeleted_IsASoftDeleteHiddenEverywhere()
    {
        var id = await AddOne(Alice, "Temporary note about kayaks");

        var result = await _db.Service.UpdateAsync(Alice, id, null, MemoryState.Deleted);

        Assert.Equal(MemoryState.Deleted, result.State);
        await AssertInvisible(id, "kayaks");
        Assert.Single(await _db.QueryAsync($"SELECT 1 FROM memories WHERE id = '{id}' AND state = 'Deleted'"));
    }

    [Fact]
    public async Task Delete_RemovesAllGivenIds()
    {
        var ids = (await _db.Service.AddAsync(Alice, [new("one violin"), new("two violins"), new("three")])).Select(o => o.Id).ToList();

        Assert.Equal(2, await _db.Service.DeleteAsync(Alice, [ids[0], ids[1], ids[1]]));

        await AssertInvisible(ids[0], "violin");
        await AssertInvisible(ids[1], "violin");
        Assert.Equal(1, await _db.CountAsync("alice"));
        Assert.Equal(2, (await _db.QueryAsync("SELECT 1 FROM memory_history WHERE new_state = 'Deleted'")).Count);
    }

    [Fact]
    public async Task Delete_WithOneUnknownId_DeletesNothing()
    {
        var mine = await AddOne(Alice, "keep me");
        var bobs = await AddOne(Bob, "bob's");
        var before = await _db.SnapshotAsync();

        var error = await Assert.ThrowsAsync<MemoryValidationException>(() => _db.Service.DeleteAsync(Alice, [mine, bobs]));

        Assert.Equal($"No memory with id '{bobs}'. Use search_memory or list_memories to find the right id.", error.Message);
        Assert.Equal(before, await _db.SnapshotAsync());
    }

    [Fact]
    public async Task Delete_AnAlreadyDeletedId_IsUnknown()
    {
        var id = await AddOne(Alice, "x");
        await _db.Service.DeleteAsync(Alice, [id]);

        await Assert.ThrowsAsync<MemoryValidationException>(() => _db.Service.DeleteAsync(Alice, [id]));
        await Assert.ThrowsAsync<MemoryValidationException>(() => _db.Service.UpdateAsync(Alice, id, null, MemoryState.Active));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(101)]
    public async Task Delete_WithNoneOrTooManyIds_IsRejected(int count)
    {
        var error = await Assert.ThrowsAsync<MemoryValidationException>(
            () => _db.Service.DeleteAsync(Alice, Enumerable.Range(0, count).Select(_ => Guid.NewGuid().ToString()).ToList()));

        Assert.Equal($"ids must contain between 1 and 100 items; got {count}. Split larger batches into several calls.", error.Message);
    }

    [Fact]
    public async Task DeleteAll_SoftDeletesOnlyTheCallersMemories()
    {
        await _db.Service.AddAsync(Alice, [new("alice guitar"), new("alice drums")]);
        var bobs = await AddOne(Bob, "bob guitar");

        Assert.Equal(2, await _db.Service.DeleteAllAsync(Alice));

        Assert.Equal(0, await _db.CountAsync("alice"));
        Assert.Empty(await _db.Service.SearchAsync(Alice, new SearchRequest("guitar")));
        Assert.Empty((await _db.Service.ListAsync(Alice, new ListRequest())).Items);
        Assert.Single(await _db.Service.SearchAsync(Bob, new SearchRequest("guitar")));
        Assert.NotNull(await _db.Service.GetAsync(Bob, bobs));
        Assert.Equal(2, (await _db.QueryAsync("SELECT 1 FROM memory_history WHERE new_state = 'Deleted'")).Count);
    }

    [Fact]
    public async Task EveryOperation_WritesOneAccessLogRow_StampedWithTheTimeOfTheOperation()
    {
        // A second between operations: rows of reads are written behind (after later writes' rows, by id), so the
        // operation order is read from each row's time, which is the operation's, not the commit's.
        var ids = (await _db.Service.AddAsync(Alice, [new("log me"), new("log me too")])).Select(o => o.Id).ToList();
        _db.Time.Advance(TimeSpan.FromSeconds(1));
        await _db.Service.SearchAsync(Alice, new SearchRequest("log"));
        _db.Time.Advance(TimeSpan.FromSeconds(1));
        await _db.Service.ListAsync(Alice, new ListRequest());
        _db.Time.Advance(TimeSpan.FromSeconds(1));
        await _db.Service.GetAsync(Alice, ids[0]);
        _db.Time.Advance(TimeSpan.FromSeconds(1));
        await _db.Service.UpdateAsync(Alice, ids[0], "logged", null);
        _db.Time.Advance(TimeSpan.FromSeconds(1));
        await _db.Service.DeleteAsync(Alice, [ids[1]]);
        _db.Time.Advance(TimeSpan.FromSeconds(1));
        await _db.Service.DeleteAllAsync(Alice);
        await _db.FlushAccessLogAsync();

        var rows = await _db.QueryAsync("SELECT user_id, app, action, memory_ids, at FROM memory_access_log ORDER BY at, id");

        Assert.Equal(["add", "search", "list", "get", "update", "delete", "delete_all"], rows.Select(r => (string)r[2]!));
        var start = _db.Time.Now.AddSeconds(-6).UtcTicks;
        Assert.Equal(Enumerable.Range(0, 7).Select(i => start + TimeSpan.TicksPerSecond * i), rows.Select(r => (long)r[4]!));
        Assert.All(rows, r => Assert.Equal(["alice", "claude"], r[..2]));
        Assert.Equal(string.Join(' ', ids), rows[0][3]);
        Assert.Equal(ids.Order(StringComparer.Ordinal), ((string)rows[1][3]!).Split(' ').Order(StringComparer.Ordinal));
        Assert.Equal(ids.Order(StringComparer.Ordinal).Reverse(), ((string)rows[2][3]!).Split(' '));
        Assert.Equal(ids[0], rows[3][3]);
        Assert.Equal(ids[0], rows[4][3]);
        Assert.Equal(ids[1], rows[5][3]);
        Assert.Equal("", rows[6][3]);
    }

    private async Task AssertInvisible(string id, string word)
    {
        Assert.Null(await _db.Service.GetAsync(Alice, id));
        Assert.DoesNotContain(await _db.Service.SearchAsync(Alice, new SearchRequest(word)), h => h.Memory.Id == id);
        foreach (var state in new[] { MemoryState.Active, MemoryState.Paused, MemoryState.Archived })
        {
            Assert.DoesNotContain((await _db.Service.ListAsync(Alice, new ListRequest(State: state, Limit: 100))).Items, m => m.Id == id);
            Assert.DoesNotContain(await _db.Service.SearchAsync(Alice, new SearchRequest(word, State: state)), h => h.Memory.Id == id);
        }

        await Assert.ThrowsAsync<MemoryValidationException>(() => _db.Service.UpdateAsync(Alice, id, "back", null));
    }
}
