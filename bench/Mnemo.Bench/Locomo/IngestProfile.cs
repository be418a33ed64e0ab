using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Mnemo.Bench.Latency;
using Mnemo.Memory;
using Mnemo.Memory.Memories;
using Mnemo.Memory.Search.Embeddings;

namespace Mnemo.Bench.Locomo;

/// <summary>Where ingest time goes (in-process, batches of 50): the model alone, storage alone, both.</summary>
internal static class IngestProfile
{
    public static async Task<int> RunAsync(string[] args)
    {
        var count = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 1000;
        var model = new LocalMiniLmEmbeddingService(NullLogger<LocalMiniLmEmbeddingService>.Instance);
        await model.LoadAsync(default);
        var synthetic = new SyntheticMemories(3);
        var batches = Enumerable.Range(0, count / 50).Select(_ => Enumerable.Range(0, 50).Select(_ => synthetic.Next()).ToList()).ToList();
        await model.EmbedAsync(batches[0].Take(8).ToList(), default);

        var clock = Stopwatch.StartNew();
        foreach (var batch in batches)
        {
            await model.EmbedAsync(batch, default);
        }

        Console.WriteLine($"model alone (texts only):        {count / clock.Elapsed.TotalSeconds,6:F0} memories/s");
        foreach (var (name, embeddings, configure) in new (string, IEmbeddingService, Action<MemoryOptions>)[]
        {
            ("storage alone (fake vectors)", new FakeEmbeddingService(), _ => { }),
            ("storage alone, no de-duplication", new FakeEmbeddingService(), o => o.DeduplicationThreshold = 2),
            ("storage alone, no dedup, no neighbours", new FakeEmbeddingService(), o => { o.DeduplicationThreshold = 2; o.Search.NeighbourWindow = 0; o.Search.DenseNeighbourWindow = 0; }),
            ("add, shipped (text + context)", model, _ => { }),
            ("add, no context vector", model, o => o.Search.DenseNeighbourWindow = 0),
            ("add, no de-duplication", model, o => o.DeduplicationThreshold = 2),
        })
        {
            var dir = Directory.CreateTempSubdirectory("mnemo-ingest-");
            var services = new ServiceCollection();
            services.AddLogging(l => l.SetMinimumLevel(LogLevel.Warning));
            services.AddSingleton(embeddings);
            services.AddMnemoMemory($"Data Source={Path.Combine(dir.FullName, "i.db")}", configure);
            await using (var provider = services.BuildServiceProvider())
            {
                await MemoryDatabase.MigrateAsync(provider, default);
                var service = provider.GetRequiredService<IMemoryService>();
                clock.Restart();
                foreach (var batch in batches)
                {
                    await service.AddAsync(new MemoryCaller("u", "p"), batch.Select(t => new NewMemory(t)).ToList());
                }

                Console.WriteLine($"{name,-32} {count / clock.Elapsed.TotalSeconds,6:F0} memories/s");
            }

            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            dir.Delete(true);
        }

        return 0;
    }
}
