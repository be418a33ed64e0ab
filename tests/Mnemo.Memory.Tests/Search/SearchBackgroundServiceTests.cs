using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Mnemo.Memory.Memories;
using Mnemo.Memory.Search;

namespace Mnemo.Memory.Tests;

[Collection(EmbeddingModelCollection.Name)]
public sealed class SearchBackgroundServiceTests(EmbeddingModelFixture model)
{
    [Fact]
    public async Task StartUp_LoadsTheIndexesOfTheMostRecentlyActiveUsers_BeforeTheirFirstSearch()
    {
        await using var db = await MemoryTestDatabase.CreateAsync(model.Model, o => o.Search.WarmUpUsers = 2);
        await AddInTurnAsync(db, "alice", "bob", "carol");

        // "After a restart": a new provider on the same file, nothing loaded yet.
        await using var restarted = db.OpenProvider();
        await WarmUpAsync(restarted);

        var search = restarted.GetRequiredService<SearchIndex>();
        Assert.True(search.IsLoaded("carol", vectors: true) && search.IsLoaded("bob", vectors: true));
        Assert.False(search.IsLoaded("alice"));
        // A user left out is loaded by their first search, as without warm-up.
        Assert.Single(await restarted.GetRequiredService<IMemoryService>().SearchAsync(new MemoryCaller("alice", null), new SearchRequest("alice")));
    }

    [Fact]
    public async Task WithoutAModel_KeywordIndexesAreStillWarmed()
    {
        await using var db = await MemoryTestDatabase.CreateAsync(configure: o => o.Embeddings.Provider = "None");
        await AddInTurnAsync(db, "alice");

        await using var restarted = db.OpenProvider();
        await WarmUpAsync(restarted);

        Assert.True(restarted.GetRequiredService<SearchIndex>().IsLoaded("alice"));
    }

    [Fact]
    public async Task WarmUpUsersZero_LoadsNothingBeforeTheFirstSearch()
    {
        await using var db = await MemoryTestDatabase.CreateAsync(model.Model, o => o.Search.WarmUpUsers = 0);
        await AddInTurnAsync(db, "alice");

        await using var restarted = db.OpenProvider();
        await WarmUpAsync(restarted);

        Assert.False(restarted.GetRequiredService<SearchIndex>().IsLoaded("alice"));
    }

    [Fact]
    public async Task IndexesIdleLongerThanTheirLifetime_AreFreed_AndRebuiltByTheNextSearch()
    {
        await using var db = await MemoryTestDatabase.CreateAsync(model.Model, o => o.Search.IndexIdleLifetime = TimeSpan.FromHours(1));
        await AddInTurnAsync(db, "alice", "bob");
        await using var provider = db.OpenProvider();
        var service = provider.GetRequiredService<IMemoryService>();
        var search = provider.GetRequiredService<SearchIndex>();
        var background = provider.GetServices<IHostedService>().OfType<SearchBackgroundService>().Single();
        await service.SearchAsync(new MemoryCaller("alice", null), new SearchRequest("notebook"));
        db.Time.Advance(TimeSpan.FromMinutes(30));
        await service.SearchAsync(new MemoryCaller("bob", null), new SearchRequest("notebook"));
        db.Time.Advance(TimeSpan.FromMinutes(45));

        // Alice: idle 75 minutes, both her indexes go (one user freed). Bob: idle 45 minutes, kept.
        Assert.Equal(1, background.EvictIdleIndexes());

        Assert.False(search.IsLoaded("alice"));
        Assert.True(search.IsLoaded("bob", vectors: true));
        var hits = await service.SearchAsync(new MemoryCaller("alice", null), new SearchRequest("a book for thoughts", Limit: 1));
        Assert.Equal("alice keeps a notebook of ideas", hits.Single().Memory.Text);
        Assert.True(search.IsLoaded("alice", vectors: true));
    }

    [Fact]
    public async Task ZeroIndexLifetime_KeepsEveryIndexLoaded()
    {
        await using var db = await MemoryTestDatabase.CreateAsync(model.Model, o => o.Search.IndexIdleLifetime = TimeSpan.Zero);
        await AddInTurnAsync(db, "alice");
        await using var provider = db.OpenProvider();
        await provider.GetRequiredService<IMemoryService>().SearchAsync(new MemoryCaller("alice", null), new SearchRequest("notebook"));
        db.Time.Advance(TimeSpan.FromDays(30));

        Assert.Equal(0, provider.GetServices<IHostedService>().OfType<SearchBackgroundService>().Single().EvictIdleIndexes());
        Assert.True(provider.GetRequiredService<SearchIndex>().IsLoaded("alice"));
    }

    /// <summary>Each user adds a memory an hour after the one before, so the last is the most recently active.</summary>
    private static async Task AddInTurnAsync(MemoryTestDatabase db, params string[] users)
    {
        foreach (var user in users)
        {
            await db.Service.AddAsync(new MemoryCaller(user, null), [new($"{user} keeps a notebook of ideas")]);
            db.Time.Advance(TimeSpan.FromHours(1));
        }
    }

    private static async Task WarmUpAsync(ServiceProvider provider)
    {
        var background = provider.GetServices<IHostedService>().OfType<SearchBackgroundService>().Single();
        await background.StartAsync(CancellationToken.None);
        await background.WarmedUp.WaitAsync(TimeSpan.FromSeconds(30));
        await background.StopAsync(CancellationToken.None);
    }
}
