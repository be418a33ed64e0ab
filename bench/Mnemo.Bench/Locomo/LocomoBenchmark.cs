using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Mnemo.Memory;
using Mnemo.Memory.Memories;
using Mnemo.Memory.Search;
using Mnemo.Memory.Search.Embeddings;

namespace Mnemo.Bench.Locomo;

/// <summary>
/// LoCoMo retrieval, fixed protocol (issue 4): one user per conversation; each session's turns as one add call, in
/// order, text "Speaker: text" (+ " [shares a photo: caption]"), occurred_at = the session's date; then every
/// category 1-4 question through search (limit 20). Runs in-process on IMemoryService over a temporary SQLite file.
/// </summary>
internal static class LocomoBenchmark
{
    private static readonly int[] Ks = [1, 5, 10, 20];

    public static async Task<int> RunAsync(string[] args)
    {
        var dataPath = Option(args, "--data") ?? FindData();
        var variantSet = Option(args, "--variants") ?? "shipped";
        var neighbours = int.Parse(Option(args, "--neighbours") ?? "-1", CultureInfo.InvariantCulture);
        var denseNeighbours = int.Parse(Option(args, "--dense-neighbours") ?? "-1", CultureInfo.InvariantCulture);
        var conversations = LocomoData.Load(dataPath);
        Console.WriteLine($"LoCoMo: {conversations.Count} conversations, {conversations.Sum(c => c.Sessions.Sum(s => s.Turns.Count))} turns, "
            + $"{conversations.Sum(c => c.Questions.Count)} scored questions (categories 1-4); {Environment.ProcessorCount} cores");

        var embeddings = new LocalMiniLmEmbeddingService(NullLogger<LocalMiniLmEmbeddingService>.Instance);
        var load = Stopwatch.StartNew();
        await embeddings.LoadAsync(CancellationToken.None);
        Console.WriteLine($"model {embeddings.ModelId}: {embeddings.Status.State} in {load.ElapsedMilliseconds} ms");

        // --db PATH keeps the ingested database (and its turn -> id map) for later runs of query-time variants.
        var keep = Option(args, "--db");
        var directory = keep is null ? Directory.CreateTempSubdirectory("mnemo-locomo-") : null;
        var dbPath = keep ?? Path.Combine(directory!.FullName, "locomo.db");
        var connectionString = $"Data Source={dbPath}";
        try
        {
            void Ingestion(MemoryOptions o)
            {
                if (neighbours >= 0)
                {
                    o.Search.NeighbourWindow = neighbours;
                }

                if (denseNeighbours >= 0)
                {
                    o.Search.DenseNeighbourWindow = denseNeighbours;
                }

                if (args.Contains("--no-dates"))
                {
                    o.Search.KeywordDates = false;
                }
            }

            var mapPath = dbPath + ".turns.tsv";
            Dictionary<(string User, int Session, int Turn), string> turnIds;
            if (keep is not null && File.Exists(dbPath) && File.Exists(mapPath))
            {
                turnIds = File.ReadAllLines(mapPath).Select(l => l.Split('\t'))
                    .ToDictionary(p => (p[0], int.Parse(p[1], CultureInfo.InvariantCulture), int.Parse(p[2], CultureInfo.InvariantCulture)), p => p[3]);
                Console.WriteLine($"reusing {dbPath} ({turnIds.Count} turns)");
            }
            else
            {
                turnIds = await IngestAsync(conversations, embeddings, connectionString, Ingestion);
                if (keep is not null)
                {
                    File.WriteAllLines(mapPath, turnIds.Select(t => $"{t.Key.User}\t{t.Key.Session}\t{t.Key.Turn}\t{t.Value}"));
                }
            }

            var variants = Variants(variantSet);
            Console.WriteLine();
            Console.WriteLine($"{"variant",-44} {"R@1",6} {"R@5",6} {"R@10",6} {"R@20",6} {"any@10",7} {"MRR@20",7} {"ms/q",6}");
            // --dump PATH writes every question's ranked ids and exact scores, to compare two builds on one --db.
            await using var dump = Option(args, "--dump") is { } dumpPath ? new StreamWriter(dumpPath) : null;
            foreach (var (name, configure, ranking) in variants)
            {
                await EvaluateAsync(name, conversations, turnIds, embeddings, connectionString, o => { Ingestion(o); configure(o); }, ranking, dump);
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            directory?.Delete(recursive: true);
        }

        return 0;
    }

    /// <summary>A ranking to measure: product options plus, through the internal seam, the benchmark-only switches.</summary>
    private sealed record Variant(string Name, Action<MemoryOptions> Configure, RankingVariant Ranking)
    {
        public Variant(string name, Action<MemoryOptions> configure)
            : this(name, configure, RankingVariant.Shipped)
        {
        }
    }

    private static readonly RankingVariant KeywordOnly = new(RankingMode.KeywordOnly);
    private static readonly RankingVariant DenseOnly = new(RankingMode.DenseOnly);

    private static List<Variant> Variants(string set)
    {
        var list = new List<Variant>
        {
            new("keyword only (BM25 porter + neighbours)", _ => { }, KeywordOnly),
            new("dense only (MiniLM)", _ => { }, DenseOnly),
            new("hybrid (shipped defaults)", _ => { }),
        };
        if (set == "final")
        {
            // The shipped dense weight's neighbourhood: a default should sit on a plateau, not a spike.
            foreach (var dw in new[] { 0.15, 0.2, 0.25, 0.3, 0.35, 0.4 })
            {
                list.Add(new($"hybrid, dense weight {dw}", o => o.Search.DenseWeight = dw));
            }

            list.Add(new("hybrid, keyword context weight 0.7", o => o.Search.KeywordContextWeight = 0.7));
        }

        if (set == "fusion")
        {
            list.Add(new("hybrid, keyword candidates scored 0 on dense", _ => { }, new RankingVariant(ScoreKeywordCandidates: false)));
            foreach (var dw in new[] { 0.15, 0.3, 0.4, 0.5 })
            {
                list.Add(new($"hybrid dense weight {dw}", o => o.Search.DenseWeight = dw));
            }

            list.Add(new("hybrid keyword context weight 0.7", o => o.Search.KeywordContextWeight = 0.7));
        }

        if (set == "tune")
        {
            foreach (var dw in new[] { 0.2, 0.3 })
            {
                foreach (var kc in new[] { 0.3, 0.5, 0.8 })
                {
                    foreach (var dc in new[] { 0.0, 0.3, 0.6 })
                    {
                        list.Add(new($"hybrid dw {dw} kctx {kc} dctx {dc}", o => { o.Search.DenseWeight = dw; o.Search.KeywordContextWeight = kc; o.Search.DenseContextWeight = dc; }));
                    }
                }
            }
        }

        if (set == "all")
        {
            list.Add(new("keyword, no neighbour context", o => o.Search.KeywordContextWeight = 0, KeywordOnly));
            list.Add(new("dense, no context vector", o => o.Search.DenseContextWeight = 0, DenseOnly));
            list.Add(new("hybrid, no context at all", o => { o.Search.KeywordContextWeight = 0; o.Search.DenseContextWeight = 0; }));
            foreach (var w in new[] { 0.2, 0.3, 0.4, 0.5, 0.7 })
            {
                list.Add(new($"hybrid dense weight {w}", o => o.Search.DenseWeight = w));
            }

            foreach (var w in new[] { 0.3, 0.5, 0.7 })
            {
                list.Add(new($"hybrid raw cosine, dense weight {w}", o => o.Search.DenseWeight = w, new RankingVariant(DenseMinMax: false)));
            }

            foreach (var w in new[] { 0.1, 0.2, 0.5, 0.7 })
            {
                list.Add(new($"hybrid keyword context weight {w}", o => o.Search.KeywordContextWeight = w));
            }

            foreach (var w in new[] { 0.0, 0.15, 0.5, 0.7 })
            {
                list.Add(new($"hybrid dense context weight {w}", o => o.Search.DenseContextWeight = w));
            }
        }

        return list;
    }

    private static async Task<Dictionary<(string User, int Session, int Turn), string>> IngestAsync(
        List<Conversation> conversations, IEmbeddingService embeddings, string connectionString, Action<MemoryOptions> configure)
    {
        await using var provider = Provider(embeddings, connectionString, configure, RankingVariant.Shipped);
        await MemoryDatabase.MigrateAsync(provider, CancellationToken.None);
        var service = provider.GetRequiredService<IMemoryService>();
        var ids = new Dictionary<(string, int, int), string>();
        var clock = Stopwatch.StartNew();
        int added = 0, updated = 0;
        foreach (var conversation in conversations)
        {
            var caller = new MemoryCaller(conversation.Id, "locomo-bench");
            foreach (var session in conversation.Sessions.Where(s => s.Turns.Count > 0))
            {
                foreach (var part in session.Turns.Chunk(100))
                {
                    var outcomes = await service.AddAsync(caller, part.Select(t => new NewMemory(t.Text, OccurredAt: session.Date)).ToList());
                    for (var i = 0; i < part.Length; i++)
                    {
                        ids[(conversation.Id, session.Number, part[i].Index)] = outcomes[i].Id;
                        _ = outcomes[i].Outcome == "added" ? added++ : updated++;
                    }
                }
            }
        }

        Console.WriteLine($"ingested {added + updated} turns in {clock.Elapsed.TotalSeconds:F1} s ({(added + updated) / clock.Elapsed.TotalSeconds:F0}/s): "
            + $"{added} added, {updated} de-duplicated (updated)");
        return ids;
    }

    private static async Task EvaluateAsync(
        string name, List<Conversation> conversations, Dictionary<(string, int, int), string> turnIds, IEmbeddingService embeddings,
        string connectionString, Action<MemoryOptions> configure, RankingVariant ranking, TextWriter? dump)
    {
        await using var provider = Provider(embeddings, connectionString, configure, ranking);
        var service = provider.GetRequiredService<IMemoryService>();
        var recall = new double[Ks.Length];
        double any10 = 0, mrr = 0;
        var count = 0;
        var byCategory = new Dictionary<int, (int N, double R10)>();
        var clock = Stopwatch.StartNew();
        foreach (var conversation in conversations)
        {
            var caller = new MemoryCaller(conversation.Id, "locomo-bench");
            foreach (var question in conversation.Questions)
            {
                var hits = await service.SearchAsync(caller, new SearchRequest(question.Text, Limit: 20));
                dump?.WriteLine($"{name}\t{conversation.Id}\t{question.Text}\t{string.Join(' ', hits.Select(h => FormattableString.Invariant($"{h.Memory.Id}:{h.Score:R}")))}");
                var ranked = hits.Select(h => h.Memory.Id).ToList();
                // An evidence turn that does not exist counts as not found.
                var evidence = question.Evidence.Select(e => turnIds.GetValueOrDefault((conversation.Id, e.Session, e.Turn))).ToList();
                for (var k = 0; k < Ks.Length; k++)
                {
                    var top = ranked.Take(Ks[k]).ToHashSet();
                    recall[k] += evidence.All(e => e is not null && top.Contains(e)) ? 1 : 0;
                }

                var top10 = ranked.Take(10).ToHashSet();
                any10 += evidence.Any(e => e is not null && top10.Contains(e)) ? 1 : 0;
                var first = ranked.FindIndex(id => evidence.Contains(id));
                mrr += first >= 0 ? 1.0 / (first + 1) : 0;
                var r10 = evidence.All(e => e is not null && top10.Contains(e)) ? 1 : 0;
                var c = byCategory.GetValueOrDefault(question.Category);
                byCategory[question.Category] = (c.N + 1, c.R10 + r10);
                count++;
            }
        }

        var perQuery = clock.Elapsed.TotalMilliseconds / count;
        Console.WriteLine($"{name,-44} {recall[0] / count,6:F3} {recall[1] / count,6:F3} {recall[2] / count,6:F3} {recall[3] / count,6:F3} "
            + $"{any10 / count,7:F3} {mrr / count,7:F3} {perQuery,6:F1}");
        Console.WriteLine($"{"",-44} R@10 by category: "
            + string.Join("  ", byCategory.OrderBy(c => c.Key).Select(c => $"{c.Key}:{c.Value.R10 / c.Value.N:F3} (n={c.Value.N})")));
    }

    private static ServiceProvider Provider(IEmbeddingService embeddings, string connectionString, Action<MemoryOptions> configure, RankingVariant ranking)
    {
        var services = new ServiceCollection();
        services.AddLogging(l => l.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton(embeddings);
        // The benchmark-only switches: registered first, so AddMnemoMemory keeps this one instead of the shipped one.
        services.AddSingleton(ranking);
        services.AddMnemoMemory(connectionString, configure);
        return services.BuildServiceProvider();
    }

    private static string? Option(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }

    internal static string FindData()
    {
        foreach (var candidate in new[] { "../shared/data/locomo/locomo10.json", "../../shared/data/locomo/locomo10.json", "/work/shared/data/locomo/locomo10.json" })
        {
            if (File.Exists(candidate))
            {
                return Path.GetFullPath(candidate);
            }
        }

        throw new FileNotFoundException("locomo10.json not found; pass --data PATH (it lives in ../shared/data/locomo/, never in the repository).");
    }
}
