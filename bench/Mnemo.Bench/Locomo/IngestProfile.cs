using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Mnemo.Memory.Search.Embeddings;

namespace Mnemo.Bench.Locomo;

/// <summary>Where ingestion time goes: the model alone on the same texts.</summary>
internal static class IngestProfile
{
    public static async Task<int> RunAsync(string[] args)
    {
        var conversations = LocomoData.Load(args.Length > 0 ? args[0] : "/work/shared/data/locomo/locomo10.json");
        var embeddings = new LocalMiniLmEmbeddingService(NullLogger<LocalMiniLmEmbeddingService>.Instance);
        await embeddings.LoadAsync(default);
        var sessions = conversations[0].Sessions.Take(5).ToList();
        var texts = sessions.SelectMany(s => s.Turns.Select(t => t.Text)).ToList();
        await embeddings.EmbedAsync(texts.Take(8).ToList(), default);
        var clock = Stopwatch.StartNew();
        foreach (var s in sessions)
        {
            await embeddings.EmbedAsync(s.Turns.Select(t => t.Text).ToList(), default);
        }

        Console.WriteLine($"texts only: {texts.Count} in {clock.ElapsedMilliseconds} ms = {clock.Elapsed.TotalMilliseconds / texts.Count:F1} ms/text");
        clock.Restart();
        foreach (var s in sessions)
        {
            var t = s.Turns.Select(t => t.Text).ToList();
            var ctx = t.Select((_, i) => string.Join('\n', t.Skip(Math.Max(0, i - 1)).Take(i == 0 ? 2 : 3))).ToList();
            await embeddings.EmbedAsync(t.Concat(ctx).ToList(), default);
        }

        Console.WriteLine($"texts + context: {clock.ElapsedMilliseconds} ms = {clock.Elapsed.TotalMilliseconds / texts.Count:F1} ms/turn");
        return 0;
    }
}
