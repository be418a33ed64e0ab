using System.Diagnostics;
using Mnemo.Memory;
using Mnemo.Memory.Search;
using Mnemo.Memory.Search.Keyword;

namespace Mnemo.Bench.Latency;

/// <summary>The in-memory keyword index alone (no database, no HTTP): build time and search latency at a given size.</summary>
internal static class KeywordProfile
{
    public static Task<int> RunAsync(string[] args)
    {
        var size = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 100_000;
        var synthetic = new SyntheticMemories(7);
        var index = new UserKeywordIndex(new KeywordRanking(2, 0.5f, true));
        var clock = Stopwatch.StartNew();
        var batch = "";
        for (var i = 0; i < size; i++)
        {
            batch = i % 50 == 0 ? Guid.CreateVersion7().ToString() : batch;
            index.Upsert(new KeywordDocument(Guid.CreateVersion7().ToString(), new MemoryFacts(MemoryState.Active, "bench", DateTime.UtcNow.Ticks, []), batch, i % 50, synthetic.Next()));
        }

        var filter = new MemoryFilter(MemoryState.Active, [], null, null, null);
        index.Search(KeywordTokenizer.QueryStems(["warm"]), filter, 100);
        Console.WriteLine($"built {size} memories in {clock.ElapsedMilliseconds} ms");
        var queries = Enumerable.Range(0, 200).Select(_ => KeywordTokenizer.QueryStems(QueryTerms.Extract(synthetic.Query()))).ToList();
        var times = new List<double>();
        foreach (var stems in queries)
        {
            var started = Stopwatch.GetTimestamp();
            index.Search(stems, filter, 100);
            times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        times.Sort();
        Console.WriteLine($"keyword index search (limit 100)  p50 {times[times.Count / 2]:F2} ms  p95 {times[(int)(times.Count * 0.95)]:F2} ms");
        return Task.FromResult(0);
    }
}
