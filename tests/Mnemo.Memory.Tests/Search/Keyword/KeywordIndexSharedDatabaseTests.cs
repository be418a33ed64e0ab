using Microsoft.Extensions.DependencyInjection;
using Mnemo.Memory.Memories;

namespace Mnemo.Memory.Tests.Keyword;

/// <summary>
/// Two service providers on one database file, like the server and the CLI (or two server processes): each has its own
/// in-memory keyword index, and the reader's index must follow what the writer committed.
/// </summary>
public sealed class KeywordIndexSharedDatabaseTests : IAsyncLifetime
{
    private static readonly MemoryCaller Alice = new("alice", "claude");
    private MemoryTestDatabase _db = null!;
    private IMemoryService _writer = null!;
    private IMemoryService _reader = null!;

    public async Task InitializeAsync()
    {
        _db = await MemoryTestDatabase.CreateAsync();
        _writer = _db.Service;
        _reader = _db.OpenProvider().GetRequiredService<IMemoryService>();
    }

    public async Task DisposeAsync() => await _db.DisposeAsync();

    private async Task<List<string>> Texts(IMemoryService service, string query) =>
        (await service.SearchAsync(Alice, new SearchRequest(query))).Select(h => h.Memory.Text).ToList();

    /// <summary>The score a provider that never searched before (its index loaded from the file now) gives.</summary>
    private async Task<IReadOnlyList<SearchHit>> FreshSearchAsync(string query) =>
        await _db.OpenProvider().GetRequiredService<IMemoryService>().SearchAsync(Alice, new SearchRequest(query));

    [Fact]
    public async Task Search_InOneProvider_FindsAMemoryAddedThroughAnother()
    {
        await _writer.AddAsync(Alice, [new("We rented a kayak")]);
        Assert.Equal(["We rented a kayak"], await Texts(_reader, "kayak"));

        var added = await _writer.AddAsync(Alice, [new("We rented a canoe")]);

        var hit = Assert.Single(await _reader.SearchAsync(Alice, new SearchRequest("canoe")));
        Assert.Equal(added[0].Id, hit.Memory.Id);
    }

    [Fact]
    public async Task Search_InOneProvider_CatchesUpWithABulkImportThroughAnother()
    {
        await _writer.AddAsync(Alice, [new("We rented a kayak")]);
        Assert.Single(await Texts(_reader, "kayak"));

        // More changes than an incremental catch-up takes (2,000): the reader reloads the user instead.
        for (var call = 0; call < 21; call++)
        {
            await _writer.AddAsync(Alice, Enumerable.Range(0, 100).Select(i => new NewMemory($"imported note {call} {i} about sailing")).ToList());
        }

        var hits = await _reader.SearchAsync(Alice, new SearchRequest("sailing", Limit: 100));
        Assert.Equal(100, hits.Count);
        Assert.Single(await Texts(_reader, "kayak"));
        Assert.Contains("imported note 20 99 about sailing", (await _reader.SearchAsync(Alice, new SearchRequest("20 99 sailing", Limit: 1))).Select(h => h.Memory.Text));
    }

    [Fact]
    public async Task Search_InOneProvider_FollowsATextUpdateThroughAnother()
    {
        var ids = await _writer.AddAsync(Alice, [new("We visited Lisbon in spring")]);
        Assert.Single(await Texts(_reader, "Lisbon"));

        await _writer.UpdateAsync(Alice, ids[0].Id, "We visited Porto in spring", null);

        Assert.Empty(await Texts(_reader, "Lisbon"));
        Assert.Equal(["We visited Porto in spring"], await Texts(_reader, "Porto"));
    }

    [Fact]
    public async Task Search_InOneProvider_FollowsAStateChangeThroughAnother()
    {
        var ids = await _writer.AddAsync(Alice, [new("violin lessons on Tuesday")]);
        Assert.Empty(await _reader.SearchAsync(Alice, new SearchRequest("violin", State: MemoryState.Archived)));

        await _writer.UpdateAsync(Alice, ids[0].Id, null, MemoryState.Archived);

        Assert.Empty(await Texts(_reader, "violin"));
        var hit = Assert.Single(await _reader.SearchAsync(Alice, new SearchRequest("violin", State: MemoryState.Archived)));
        Assert.Equal(ids[0].Id, hit.Memory.Id);
    }

    [Fact]
    public async Task Search_InOneProvider_ForgetsAMemoryDeletedThroughAnother_AndItsWordsAsContext()
    {
        // One add call: "named him Rex" matches "puppy" only through its neighbour's words.
        var ids = await _writer.AddAsync(Alice, [new("We adopted a puppy"), new("We named him Rex")]);
        Assert.Equal(2, (await Texts(_reader, "puppy")).Count);

        await _writer.DeleteAsync(Alice, [ids[0].Id]);

        Assert.Empty(await Texts(_reader, "puppy"));
        Assert.Equal(["We named him Rex"], await Texts(_reader, "Rex"));
    }

    [Fact]
    public async Task Search_InOneProvider_IsEmptyAfterDeleteAllThroughAnother_AndRanksNewMemoriesAlone()
    {
        await _writer.AddAsync(Alice, Enumerable.Range(0, 20).Select(i => new NewMemory($"garden chores number {i}")).ToList());
        Assert.Equal(10, (await Texts(_reader, "garden")).Count);

        Assert.Equal(20, await _writer.DeleteAllAsync(Alice));

        Assert.Empty(await Texts(_reader, "garden"));
        // The deleted memories no longer count in the reader's statistics: it scores like an index loaded now.
        await _writer.AddAsync(Alice, [new("garden tomatoes are ripe")]);
        var hit = Assert.Single(await _reader.SearchAsync(Alice, new SearchRequest("garden")));
        Assert.Equal((await FreshSearchAsync("garden")).Single().Score, hit.Score, 1e-9);
    }

    [Fact]
    public async Task Search_InOneProvider_IsEmptyAfterPurgeThroughAnother_AndRanksNewMemoriesAlone()
    {
        await _writer.AddAsync(Alice, Enumerable.Range(0, 20).Select(i => new NewMemory($"garden chores number {i}")).ToList());
        Assert.Equal(10, (await Texts(_reader, "garden")).Count);
        await using var cli = _db.OpenProvider();

        Assert.Equal(20, await cli.GetRequiredService<IMemoryAdministration>().PurgeUserAsync(Alice.UserId));

        Assert.Empty(await Texts(_reader, "garden"));
        await _writer.AddAsync(Alice, [new("garden tomatoes are ripe")]);
        var hit = Assert.Single(await _reader.SearchAsync(Alice, new SearchRequest("garden")));
        Assert.Equal((await FreshSearchAsync("garden")).Single().Score, hit.Score, 1e-9);
    }

    [Fact]
    public async Task Add_InOneProvider_RefreshesADuplicateAddedThroughAnother()
    {
        await _writer.AddAsync(Alice, [new("first memory")]);
        Assert.Single(await Texts(_reader, "first"));
        var original = await _writer.AddAsync(Alice, [new("I like green tea")]);

        var repeated = await _reader.AddAsync(Alice, [new("i like  GREEN tea")]);

        Assert.Equal([new AddOutcome(original[0].Id, "updated")], repeated);
        Assert.Equal(2, await _db.CountAsync(Alice.UserId));
    }

    [Fact]
    public async Task Search_InEachProvider_GivesTheSameScoresAfterWritesThroughBoth()
    {
        await _writer.AddAsync(Alice, [new("hiking in the Alps"), new("hiking boots are worn out")]);
        Assert.Equal(2, (await Texts(_reader, "hiking")).Count);
        Assert.Equal(2, (await Texts(_writer, "hiking")).Count);

        var fromReader = await _reader.AddAsync(Alice, [new("hiking with Sam in May")]);
        await _writer.UpdateAsync(Alice, fromReader[0].Id, "hiking with Sam in June", null);
        await _reader.AddAsync(Alice, [new("a long hiking trip")]);

        var expected = (await FreshSearchAsync("hiking June")).ToDictionary(h => h.Memory.Id, h => h.Score, StringComparer.Ordinal);
        Assert.Equal(4, expected.Count);
        foreach (var service in new[] { _writer, _reader })
        {
            var actual = (await service.SearchAsync(Alice, new SearchRequest("hiking June"))).ToDictionary(h => h.Memory.Id, h => h.Score, StringComparer.Ordinal);
            Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
            Assert.All(expected, e => Assert.Equal(e.Value, actual[e.Key], 1e-9));
        }
    }
}
