using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Mnemo.Memory.Memories;
using Mnemo.Memory.Search;
using Mnemo.Memory.Storage;

namespace Mnemo.Memory.Tests.Keyword;

/// <summary>Each user's keyword index holds only that user's memories, and ranks them by that user's statistics alone.</summary>
public sealed class KeywordIndexTenancyTests : IAsyncLifetime
{
    private static readonly MemoryCaller Alice = new("alice", "claude");
    private static readonly MemoryCaller Bob = new("bob", "claude");
    private static readonly MemoryFilter ActiveOnly = new(MemoryState.Active, [], null, null, null);
    private MemoryTestDatabase _db = null!;

    public async Task InitializeAsync() => _db = await MemoryTestDatabase.CreateAsync();

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task KeywordIndex_ForOneUser_NeverReturnsAnotherUsersMemoryIds()
    {
        // The service drops foreign ids when it loads the rows; the index itself must not produce them.
        var alices = await _db.Service.AddAsync(Alice, [new("Alice's secret password hint is pineapple"), new("pineapple pizza is fine")]);
        var bobs = await _db.Service.AddAsync(Bob, [new("Bob hates pineapple on pizza")]);
        await using var provider = _db.OpenProvider();
        var index = provider.GetRequiredService<SearchIndex>();
        await using var db = await provider.GetRequiredService<IDbContextFactory<MemoryDbContext>>().CreateDbContextAsync();

        var found = await index.RankAsync(db, Bob.UserId, "pineapple pizza secret password", ActiveOnly, 100, CancellationToken.None);
        var containing = await index.FindContainingAllAsync(db, Bob.UserId, ["pineapple", "pizza"], 100, CancellationToken.None);
        var foreignOnly = await index.RankAsync(db, Bob.UserId, "secret password hint", ActiveOnly, 100, CancellationToken.None);
        // Alice's changes after Bob's index was loaded reach Alice's index only.
        await _db.Service.AddAsync(Alice, [new("another pineapple secret")]);
        var afterAlicesWrite = await index.RankAsync(db, Bob.UserId, "pineapple secret", ActiveOnly, 100, CancellationToken.None);

        Assert.Equal([bobs[0].Id], found.Select(f => f.Id));
        Assert.Equal([bobs[0].Id], containing);
        Assert.Empty(foreignOnly);
        Assert.Equal([bobs[0].Id], afterAlicesWrite.Select(f => f.Id));
        Assert.Equal(alices.Select(a => a.Id).Order(StringComparer.Ordinal), (await index.RankAsync(db, Alice.UserId, "hint fine", ActiveOnly, 100, CancellationToken.None)).Select(f => f.Id).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Search_ForOneUser_NeverReturnsAnotherUsersMemories_AcrossProviders()
    {
        await _db.Service.AddAsync(Alice, [new("Alice's secret password hint is pineapple")]);
        var reader = _db.OpenProvider().GetRequiredService<IMemoryService>();
        Assert.Empty(await reader.SearchAsync(Bob, new SearchRequest("pineapple secret")));

        await _db.Service.AddAsync(Bob, [new("Bob hates pineapple on pizza")]);
        await _db.Service.AddAsync(Alice, [new("pineapple secret again")]);

        var hits = await reader.SearchAsync(Bob, new SearchRequest("pineapple secret password"));
        Assert.Equal(["Bob hates pineapple on pizza"], hits.Select(h => h.Memory.Text));
    }

    [Fact]
    public async Task Search_ScoresOfOneUser_DoNotChangeWhenAnotherUserAddsMemories()
    {
        await _db.Service.AddAsync(Bob, [new("garden tomatoes are ripe")]);
        await _db.Service.AddAsync(Bob, [new("planted garden beans"), new("watered the lawn")]);
        var before = await BobsScoresAsync(_db.Service);
        Assert.Equal(3, before.Count);

        // Alice writes the same words a lot (through both providers), which would move shared statistics.
        var other = _db.OpenProvider().GetRequiredService<IMemoryService>();
        for (var call = 0; call < 3; call++)
        {
            await _db.Service.AddAsync(Alice, Enumerable.Range(0, 100).Select(i => new NewMemory($"garden tomatoes lawn {call} {i} with a long tail of words")).ToList());
        }

        await other.AddAsync(Alice, [new("garden"), new("tomatoes lawn beans")]);

        Assert.Equal(10, (await _db.Service.SearchAsync(Alice, new SearchRequest("garden tomatoes lawn"))).Count);
        AssertSameScores(before, await BobsScoresAsync(_db.Service));
        AssertSameScores(before, await BobsScoresAsync(other));
    }

    [Fact]
    public async Task Search_ScoresOfOneUser_DoNotChangeWhenAnotherUserIsPurged()
    {
        await _db.Service.AddAsync(Alice, Enumerable.Range(0, 50).Select(i => new NewMemory($"garden tomatoes {i}")).ToList());
        await _db.Service.AddAsync(Bob, [new("garden tomatoes are ripe")]);
        await _db.Service.AddAsync(Bob, [new("planted garden beans"), new("watered the lawn")]);
        var before = await BobsScoresAsync(_db.Service);

        await using var cli = _db.OpenProvider();
        await cli.GetRequiredService<IMemoryAdministration>().PurgeUserAsync(Alice.UserId);

        AssertSameScores(before, await BobsScoresAsync(_db.Service));
        Assert.Empty(await _db.Service.SearchAsync(Alice, new SearchRequest("garden")));
    }

    private static async Task<Dictionary<string, double>> BobsScoresAsync(IMemoryService service) =>
        (await service.SearchAsync(Bob, new SearchRequest("garden tomatoes lawn")))
        .ToDictionary(h => h.Memory.Id, h => h.Score, StringComparer.Ordinal);

    private static void AssertSameScores(Dictionary<string, double> expected, Dictionary<string, double> actual)
    {
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
        Assert.All(expected, e => Assert.Equal(e.Value, actual[e.Key], 1e-12));
    }
}
