using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Mnemo.Memory.Memories;
using Mnemo.Memory.Search;
using Mnemo.Memory.Storage;

namespace Mnemo.Memory.Tests;

/// <summary>
/// Two service providers on one database file are two processes' search indexes (separate caches, one feed). The
/// reader here ranks semantically only, and its ids are looked at before any row is re-read: what it returns is what
/// its vector index holds, with no keyword index or database read filtering it afterwards.
/// </summary>
[Collection(EmbeddingModelCollection.Name)]
public sealed class SearchIndexSharedDatabaseTests(EmbeddingModelFixture model) : IAsyncLifetime
{
    private static readonly MemoryCaller Alice = new("alice", "claude");
    private static readonly MemoryFilter ActiveOnly = new(MemoryState.Active, [], null, null, null);
    private MemoryTestDatabase _db = null!;
    private ServiceProvider _reader = null!;

    public async Task InitializeAsync()
    {
        _db = await MemoryTestDatabase.CreateAsync(model.Model);
        _reader = _db.OpenProvider(model.Model, new RankingVariant(RankingMode.DenseOnly));
    }

    public async Task DisposeAsync() => await _db.DisposeAsync();

    private Task<List<string>> DenseIdsAsync(string query, MemoryFilter? filter = null) => DenseIdsAsync(_reader, query, filter);

    /// <summary>A dense-only provider's ranking, as ids straight from its vector index.</summary>
    private static async Task<List<string>> DenseIdsAsync(ServiceProvider reader, string query, MemoryFilter? filter = null)
    {
        await using var db = await reader.GetRequiredService<IDbContextFactory<MemoryDbContext>>().CreateDbContextAsync();
        var ranked = await reader.GetRequiredService<SearchIndex>().RankAsync(db, Alice.UserId, query, filter ?? ActiveOnly, 10, CancellationToken.None);
        return [.. ranked.Select(r => r.Id)];
    }

    private async Task<string> AddAsync(string text) => (await _db.Service.AddAsync(Alice, [new(text)]))[0].Id;

    [Fact]
    public async Task SemanticRanking_InOneProvider_DropsAMemoryDeletedThroughAnother()
    {
        var puppy = await AddAsync("I adopted a puppy last week");
        var budget = await AddAsync("The quarterly budget review is on Monday");
        Assert.Equal(puppy, (await DenseIdsAsync("new dog"))[0]);

        await _db.Service.DeleteAsync(Alice, [puppy]);

        var ids = await DenseIdsAsync("new dog");
        Assert.DoesNotContain(puppy, ids);
        Assert.Contains(budget, ids);
    }

    [Fact]
    public async Task SemanticRanking_InOneProvider_FollowsAStateChangeThroughAnother()
    {
        var puppy = await AddAsync("I adopted a puppy last week");
        Assert.Equal([puppy], await DenseIdsAsync("new dog"));

        await _db.Service.UpdateAsync(Alice, puppy, null, MemoryState.Archived);

        Assert.Empty(await DenseIdsAsync("new dog"));
        Assert.Equal([puppy], await DenseIdsAsync("new dog", ActiveOnly with { State = MemoryState.Archived }));
    }

    [Fact]
    public async Task SemanticRanking_InOneProvider_FollowsATextUpdateThroughAnother()
    {
        var memory = await AddAsync("I adopted a puppy last week");
        var kitten = await AddAsync("We got a kitten");
        await AddAsync("The quarterly budget review is on Monday");
        Assert.Equal(memory, (await DenseIdsAsync("new dog"))[0]);

        await _db.Service.UpdateAsync(Alice, memory, "I started learning the violin", null);

        // Its old vector is gone (else it would still be the nearest to "new dog"), its new one is there.
        Assert.Equal(kitten, (await DenseIdsAsync("new dog"))[0]);
        Assert.Equal(memory, (await DenseIdsAsync("music instrument lessons"))[0]);
    }

    [Fact]
    public async Task SemanticRanking_InOneProvider_IsEmptyAfterDeleteAllThroughAnother_AndSeesLaterMemories()
    {
        await AddAsync("I adopted a puppy last week");
        Assert.Single(await DenseIdsAsync("new dog"));

        await _db.Service.DeleteAllAsync(Alice);

        Assert.Empty(await DenseIdsAsync("new dog"));
        var kitten = await AddAsync("We got a kitten");
        Assert.Equal([kitten], await DenseIdsAsync("new cat"));
    }

    [Fact]
    public async Task Backfill_InOtherProviders_ReachesTheReadersVectors_AndStoresEachVectorOnce()
    {
        // Written by a process without a model: found by keyword only, no vectors.
        await using var noModel = await MemoryTestDatabase.CreateAsync();
        var ids = await noModel.Service.AddAsync(Alice, [new("I adopted a puppy last week"), new("The quarterly budget review is on Monday")]);
        var reader = noModel.OpenProvider(model.Model, new RankingVariant(RankingMode.DenseOnly));
        Assert.Empty(await DenseIdsAsync(reader, "new dog"));
        var changesBefore = (long)(await noModel.QueryAsync("SELECT COUNT(*) FROM memory_changes")).Single()[0]!;

        // Two processes back-fill at once: each vector is stored once, with one feed row.
        var stored = await Task.WhenAll(
            noModel.OpenProvider(model.Model).GetRequiredService<VectorBackfill>().BackfillAsync(all: false, null, CancellationToken.None),
            noModel.OpenProvider(model.Model).GetRequiredService<VectorBackfill>().BackfillAsync(all: false, null, CancellationToken.None));

        Assert.Equal(2, stored.Sum());
        Assert.Equal(2L, (await noModel.QueryAsync("SELECT COUNT(*) FROM memory_embeddings")).Single()[0]);
        Assert.Equal(changesBefore + 2, (await noModel.QueryAsync("SELECT COUNT(*) FROM memory_changes")).Single()[0]);
        Assert.Equal(ids[0].Id, (await DenseIdsAsync(reader, "new dog"))[0]);
    }
}
