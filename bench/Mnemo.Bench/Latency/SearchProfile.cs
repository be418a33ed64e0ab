using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Mnemo.Memory;
using Mnemo.Memory.Memories;
using Mnemo.Memory.Search;
using Mnemo.Memory.Storage;
using Mnemo.Memory.Search.Embeddings;
using Mnemo.Memory.Search.Vectors;

namespace Mnemo.Bench.Latency;

/// <summary>In-process breakdown of one search (no HTTP): model, keyword, hybrid, a plain list call (database + access log).</summary>
internal static class SearchProfile
{
    public static async Task<int> RunAsync(string[] args)
    {
        var size = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 10_000;
        var dir = Directory.CreateTempSubdirectory("mnemo-profile-");
        var path = args.Length > 1 ? args[1] : Path.Combine(dir.FullName, "p.db");
        var fillNeeded = !File.Exists(path);
        var connection = $"Data Source={path}";
        var model = new LocalMiniLmEmbeddingService(NullLogger<LocalMiniLmEmbeddingService>.Instance);
        await model.LoadAsync(default);
        var synthetic = new SyntheticMemories(7);
        await using (var fill = Provider(connection, new FakeEmbeddingService(), o => o.DeduplicationThreshold = 2))
        {
            if (!fillNeeded)
            {
                goto filled;
            }

            await MemoryDatabase.MigrateAsync(fill, default);
            var service = fill.GetRequiredService<IMemoryService>();
            for (var n = 0; n < size; n += 50)
            {
                await service.AddAsync(new MemoryCaller("u", "p"), Enumerable.Range(0, 50).Select(_ => new NewMemory(synthetic.Next())).ToList());
            }

        filled:;
        }

        var caller = new MemoryCaller("u", "p");
        var queries = Enumerable.Range(0, 100).Select(_ => synthetic.Query()).ToList();
        await Time("model: embed one query", queries, q => model.EmbedAsync([q], default));
        await FirstSearchAfterStartAsync(connection, model, caller, queries[0]);
        foreach (var (name, ranking) in new (string, RankingVariant)[]
        {
            ("search keyword only", new RankingVariant(RankingMode.KeywordOnly)),
            ("search dense only", new RankingVariant(RankingMode.DenseOnly)),
            ("search hybrid", RankingVariant.Shipped),
        })
        {
            await using var provider = Provider(connection, model, _ => { }, ranking);
            var service = provider.GetRequiredService<IMemoryService>();
            await Time(name, queries, q => service.SearchAsync(caller, new SearchRequest(q)));
        }

        await using (var provider = Provider(connection, model, _ => { }))
        {
            // The pure structure alone, loaded the way the server loads a user's vectors, then the feed query every search makes.
            var factory = provider.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<Mnemo.Memory.Storage.MemoryDbContext>>();
            var set = new VectorSet(model.Dimensions);
            await using (var db = await factory.CreateDbContextAsync())
            {
                foreach (var row in await SearchFeed.VectorsAsync(db, "u", model.ModelId, null, await SearchFeed.FactsAsync(db, "u", default), default))
                {
                    set.Upsert(row.MemoryId, row.Facts, VectorCodec.Decode(row.TextVectors), row.ContextVector is null ? [] : VectorCodec.Decode(row.ContextVector));
                }
            }

            var vector = (await model.EmbedAsync(["warm"], default))[0];
            var active = new MemoryFilter(Mnemo.Memory.MemoryState.Active, [], null, null, null);
            await Time("vector scan only (VectorSet)", queries, _ => Task.FromResult(set.Search(vector, active, 100, 0f)));
            await Time("change feed query (no changes)", queries, async _ =>
            {
                await using var db = await factory.CreateDbContextAsync();
                await ChangeFeed.ReadAsync(db, "u", long.MaxValue - 1, default);
            });
            var service = provider.GetRequiredService<IMemoryService>();
            await Time("list (db + access log)", queries, _ => service.ListAsync(caller, new ListRequest(Limit: 10)));
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        dir.Delete(true);
        return 0;
    }

    /// <summary>A user's first search in a fresh process: loading both of their indexes, then with the start-up warm-up.</summary>
    private static async Task FirstSearchAfterStartAsync(string connection, IEmbeddingService model, MemoryCaller caller, string query)
    {
        await using (var cold = Provider(connection, model, o => o.Search.WarmUpUsers = 0))
        {
            var clock = Stopwatch.StartNew();
            await cold.GetRequiredService<IMemoryService>().SearchAsync(caller, new SearchRequest(query));
            Console.WriteLine($"first search after start, no warm-up: {clock.Elapsed.TotalMilliseconds,7:F0} ms");
        }

        await using var warm = Provider(connection, model, _ => { });
        var background = warm.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<Mnemo.Memory.Search.SearchBackgroundService>().Single();
        var warming = Stopwatch.StartNew();
        await background.StartAsync(default);
        await background.WarmedUp;
        Console.WriteLine($"start-up warm-up (background):        {warming.Elapsed.TotalMilliseconds,7:F0} ms");
        var first = Stopwatch.StartNew();
        await warm.GetRequiredService<IMemoryService>().SearchAsync(caller, new SearchRequest(query));
        Console.WriteLine($"first search after the warm-up:       {first.Elapsed.TotalMilliseconds,7:F0} ms");
        await background.StopAsync(default);
    }

    private static async Task Time(string name, List<string> queries, Func<string, Task> call)
    {
        for (var i = 0; i < 5; i++)
        {
            await call(queries[i]);
        }

        var times = new List<double>();
        foreach (var q in queries)
        {
            var clock = Stopwatch.StartNew();
            await call(q);
            times.Add(clock.Elapsed.TotalMilliseconds);
        }

        times.Sort();
        Console.WriteLine($"{name,-28} p50 {times[times.Count / 2],7:F2} ms   p95 {times[(int)(times.Count * 0.95)],7:F2} ms");
    }

    private static ServiceProvider Provider(string connection, IEmbeddingService embeddings, Action<MemoryOptions> configure, RankingVariant? ranking = null)
    {
        var services = new ServiceCollection();
        services.AddLogging(l => l.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton(embeddings);
        // The benchmark-only ranking switches, through the internal seam (registered before AddMnemoMemory).
        services.AddSingleton(ranking ?? RankingVariant.Shipped);
        services.AddMnemoMemory(connection, configure);
        return services.BuildServiceProvider();
    }
}
