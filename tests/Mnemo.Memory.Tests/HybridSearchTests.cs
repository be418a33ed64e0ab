using Mnemo.Memory.Memories;

namespace Mnemo.Memory.Tests;

[Collection(EmbeddingModelCollection.Name)]
public sealed class HybridSearchTests(EmbeddingModelFixture model) : IAsyncLifetime
{
    private static readonly MemoryCaller Alice = new("alice", "claude");
    private static readonly MemoryCaller Bob = new("bob", "claude");
    private MemoryTestDatabase _db = null!;

    public async Task InitializeAsync() => _db = await MemoryTestDatabase.CreateAsync(model.Model);

    public async Task DisposeAsync() => await _db.DisposeAsync();

    private async Task<List<string>> Texts(MemoryCaller caller, SearchRequest request) =>
        (await _db.Service.SearchAsync(caller, request)).Select(h => h.Memory.Text).ToList();

    private Task AddDistractors(MemoryCaller caller) => _db.Service.AddAsync(caller, [
        new("The quarterly budget review is on Monday"),
        new("My favourite colour is dark green"),
        new("I need to renew my passport before the trip"),
    ]);

    [Fact]
    public async Task Add_StoresVectorsWithTheMemory()
    {
        await _db.Service.AddAsync(Alice, [new("I adopted a puppy last week")]);

        var row = Assert.Single(await _db.QueryAsync("SELECT length(text_vectors), model FROM memory_embeddings"));
        Assert.Equal(384L * sizeof(float), row[0]);
        Assert.Equal(model.Model.ModelId, row[1]);
    }

    [Fact]
    public async Task Search_FindsSynonymsThroughTheDensePart()
    {
        await AddDistractors(Alice);
        await _db.Service.AddAsync(Alice, [new("I adopted a puppy last week")]);

        var hits = await Texts(Alice, new SearchRequest("new dog", Limit: 1));

        Assert.Equal(["I adopted a puppy last week"], hits);
    }

    [Fact]
    public async Task Search_FindsExactNamesAndNumbersThroughTheKeywordPart()
    {
        await AddDistractors(Alice);
        await _db.Service.AddAsync(Alice, [new("Booked flight LH1234 to Lisbon"), new("Booked flight BA0987 to London"), new("Flights are booked")]);

        Assert.Equal("Booked flight LH1234 to Lisbon", (await Texts(Alice, new SearchRequest("LH1234", Limit: 1))).Single());
        Assert.Equal("Booked flight BA0987 to London", (await Texts(Alice, new SearchRequest("which flight is BA0987?", Limit: 1))).Single());
    }

    [Fact]
    public async Task Search_FindsATurnThroughItsNeighboursInTheSameAddCall()
    {
        await _db.Service.AddAsync(Alice, [new("Melanie: Did you enjoy the salsa class?"), new("Caroline: Yes, I loved every minute of it!")]);
        await _db.Service.AddAsync(Alice, [new("Caroline: Yes, I loved every minute of the movie!")]);

        var hits = await Texts(Alice, new SearchRequest("Caroline salsa", Limit: 2));

        Assert.Contains("Caroline: Yes, I loved every minute of it!", hits);
        Assert.DoesNotContain("Caroline: Yes, I loved every minute of the movie!", hits);
    }

    [Fact]
    public async Task Search_NeverReturnsAnotherUsersMemories_FromEitherIndex()
    {
        await _db.Service.AddAsync(Bob, [new("I adopted a puppy last week"), new("puppy training on Saturday")]);
        await _db.Service.AddAsync(Alice, [new("The quarterly budget review is on Monday")]);

        var hits = await _db.Service.SearchAsync(Alice, new SearchRequest("new dog puppy", Limit: 100));

        Assert.All(hits, h => Assert.Equal("The quarterly budget review is on Monday", h.Memory.Text));
    }

    [Fact]
    public async Task Search_AppliesFiltersToSemanticMatchesToo()
    {
        var june = new DateTimeOffset(2023, 6, 1, 0, 0, 0, TimeSpan.Zero);
        var ids = await _db.Service.AddAsync(Alice, [new("I adopted a puppy", ["pets"], june), new("We got a kitten", ["pets"], june.AddMonths(2))]);
        await _db.Service.UpdateAsync(Alice, ids[1].Id, null, MemoryState.Archived);

        Assert.Empty(await Texts(Alice, new SearchRequest("new dog", Tags: ["work"])));
        Assert.Empty(await Texts(Alice, new SearchRequest("new dog", OccurredAfter: june.AddDays(1))));
        Assert.Equal(["I adopted a puppy"], await Texts(Alice, new SearchRequest("new dog", Tags: ["pets"], OccurredBefore: june.AddDays(1))));
        Assert.Equal(["We got a kitten"], await Texts(Alice, new SearchRequest("new cat", State: MemoryState.Archived)));
    }

    [Fact]
    public async Task Search_NeverReturnsDeletedMemories_FromTheDenseIndex()
    {
        var ids = await _db.Service.AddAsync(Alice, [new("I adopted a puppy last week")]);
        await _db.Service.DeleteAsync(Alice, [ids[0].Id]);

        Assert.Empty(await _db.Service.SearchAsync(Alice, new SearchRequest("new dog")));
        Assert.Empty(await _db.QueryAsync("SELECT 1 FROM memory_embeddings"));
    }

    [Fact]
    public async Task Search_SeesVectorsWrittenByAnotherProcess()
    {
        await _db.Service.SearchAsync(Alice, new SearchRequest("warm up the index"));
        await using var other = _db.OpenProvider();
        var service = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<IMemoryService>(other);
        await service.AddAsync(Alice, [new("I adopted a puppy last week")]);

        Assert.Equal(["I adopted a puppy last week"], await Texts(Alice, new SearchRequest("new dog")));
    }

    [Fact]
    public async Task Update_Text_ReplacesTheVectors()
    {
        var ids = await _db.Service.AddAsync(Alice, [new("I adopted a puppy last week")]);
        await AddDistractors(Alice);

        await _db.Service.UpdateAsync(Alice, ids[0].Id, "I started learning the violin", null);

        Assert.Equal("I started learning the violin", (await Texts(Alice, new SearchRequest("music instrument lessons", Limit: 1))).Single());
        Assert.Single(await _db.QueryAsync($"SELECT 1 FROM memory_embeddings WHERE memory_id = '{ids[0].Id}'"));
    }

    [Fact]
    public async Task Add_LongMemory_IsEmbeddedInChunks_AndFoundByItsEnd()
    {
        var filler = string.Join(' ', Enumerable.Repeat("Notes from the quarterly planning meeting about budgets and spreadsheets.", 40));
        await _db.Service.AddAsync(Alice, [new(filler + " Finally, I adopted a puppy."), new("We reviewed the budget spreadsheet")]);

        var chunks = (long)(await _db.QueryAsync("SELECT max(length(text_vectors)) FROM memory_embeddings")).Single()[0]! / (384 * sizeof(float));
        Assert.True(chunks > 1);
        var hits = await Texts(Alice, new SearchRequest("new dog"));
        Assert.StartsWith("Notes from", hits[0]);
    }
}
