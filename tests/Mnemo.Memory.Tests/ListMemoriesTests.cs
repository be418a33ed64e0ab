using Mnemo.Memory.Memories;

namespace Mnemo.Memory.Tests;

public sealed class ListMemoriesTests : IAsyncLifetime
{
    private static readonly MemoryCaller Alice = new("alice", "claude");
    private MemoryTestDatabase _db = null!;

    public async Task InitializeAsync() => _db = await MemoryTestDatabase.CreateAsync();

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task List_IsNewestFirst_AndCursorPagesWithoutGapsOrRepeats()
    {
        var added = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            // Two memories per add call share a creation time; the id breaks the tie.
            added.AddRange((await _db.Service.AddAsync(Alice, [new($"memory {i}a"), new($"memory {i}b")])).Select(o => o.Id));
            _db.Time.Advance(TimeSpan.FromSeconds(1));
        }

        var seen = new List<MemoryRecord>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await _db.Service.ListAsync(Alice, new ListRequest(cursor, Limit: 3));
            seen.AddRange(page.Items);
            cursor = page.NextCursor;
            pages++;
        }
        while (cursor is not null);

        Assert.Equal(4, pages);
        Assert.Equal(added.Order(StringComparer.Ordinal), seen.Select(m => m.Id).Order(StringComparer.Ordinal));
        Assert.Equal(seen.OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id, StringComparer.Ordinal).Select(m => m.Id), seen.Select(m => m.Id));
        Assert.StartsWith("memory 4", seen[0].Text);
    }

    [Fact]
    public async Task List_DefaultsToTwentyItems()
    {
        await _db.Service.AddAsync(Alice, Enumerable.Range(0, 25).Select(i => new NewMemory($"m{i}")).ToList());

        var page = await _db.Service.ListAsync(Alice, new ListRequest());

        Assert.Equal(20, page.Items.Count);
        Assert.NotNull(page.NextCursor);
    }

    [Fact]
    public async Task List_LastPage_HasNoCursor()
    {
        await _db.Service.AddAsync(Alice, [new("only")]);

        var page = await _db.Service.ListAsync(Alice, new ListRequest(Limit: 1));

        Assert.Single(page.Items);
        Assert.Null(page.NextCursor);
    }

    [Theory]
    [InlineData("not-a-cursor!")]
    [InlineData("MTox")]
    [InlineData("eyJhIjoxfQ")]
    [InlineData("MTotNTpub3QtYS1ndWlk")]
    public async Task List_WithMalformedCursor_IsRejectedAndChangesNothing(string cursor)
    {
        await _db.Service.AddAsync(Alice, [new("x")]);
        var before = await _db.SnapshotAsync();

        var error = await Assert.ThrowsAsync<MemoryValidationException>(() => _db.Service.ListAsync(Alice, new ListRequest(cursor)));

        Assert.StartsWith("cursor is not valid. Pass the next_cursor value", error.Message);
        Assert.Equal(before, await _db.SnapshotAsync());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(101)]
    public async Task List_WithLimitOutOfRange_IsRejected(int limit)
    {
        var error = await Assert.ThrowsAsync<MemoryValidationException>(() => _db.Service.ListAsync(Alice, new ListRequest(Limit: limit)));

        Assert.Equal($"limit must be between 1 and 100; got {limit}.", error.Message);
    }

    [Fact]
    public async Task List_AppliesTagStateAndAppFilters()
    {
        var ids = await _db.Service.AddAsync(Alice, [new("w1", ["work"]), new("w2", ["work", "urgent"]), new("h1", ["home"])]);
        await _db.Service.AddAsync(Alice with { App = "cursor" }, [new("c1", ["work"])]);
        await _db.Service.UpdateAsync(Alice, ids[0].Id, null, MemoryState.Archived);

        Assert.Equal(["c1", "w2"], (await _db.Service.ListAsync(Alice, new ListRequest(Tags: ["work"]))).Items.Select(m => m.Text).Order());
        Assert.Equal(["w2"], (await _db.Service.ListAsync(Alice, new ListRequest(Tags: ["work", "urgent"]))).Items.Select(m => m.Text));
        Assert.Equal(["w1"], (await _db.Service.ListAsync(Alice, new ListRequest(State: MemoryState.Archived))).Items.Select(m => m.Text));
        Assert.Equal(["c1"], (await _db.Service.ListAsync(Alice, new ListRequest(App: "cursor"))).Items.Select(m => m.Text));
        await Assert.ThrowsAsync<MemoryValidationException>(() => _db.Service.ListAsync(Alice, new ListRequest(State: MemoryState.Deleted)));
    }

    [Fact]
    public async Task List_NeverShowsAnotherUsersMemories()
    {
        await _db.Service.AddAsync(new MemoryCaller("bob", null), [new("bob's")]);

        Assert.Empty((await _db.Service.ListAsync(Alice, new ListRequest())).Items);
    }
}
