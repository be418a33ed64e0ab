using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mnemo.Memory.Search.Embeddings;
using Mnemo.Memory.Search.Vectors;
using Mnemo.Memory.Storage;

namespace Mnemo.Memory.Search;

/// <summary>What one memory gives the model: its text, plus (optionally) its text read with its neighbours.</summary>
internal sealed record IndexItem(string Id, string UserId, string Text, string? DenseContext);

/// <summary>
/// Computes the vector rows of memories: one vector per chunk of the text and, optionally, one of the text read with its
/// neighbours (memories written in the same add call). Storing them, and telling the indexes, is
/// <see cref="SearchIndex"/>'s job.
/// </summary>
internal sealed partial class MemoryVectors(IEmbeddingService embeddings, IOptions<MemoryOptions> options, ILogger<MemoryVectors> logger)
{
    /// <summary>Index items for <paramref name="targets"/>, given every live member of their add calls.</summary>
    public IReadOnlyList<IndexItem> Items(IReadOnlyList<MemoryEntity> targets, IReadOnlyList<MemoryEntity> batchMembers)
    {
        var search = options.Value.Search;
        var byBatch = batchMembers.GroupBy(m => m.BatchId).ToDictionary(g => g.Key, g => g.OrderBy(m => m.BatchIndex).ToList());
        var items = new List<IndexItem>(targets.Count);
        foreach (var target in targets)
        {
            var batch = byBatch.TryGetValue(target.BatchId, out var members) ? members : [target];
            var position = Math.Max(0, batch.FindIndex(m => m.Id == target.Id));
            items.Add(new IndexItem(
                target.Id,
                target.UserId,
                target.Text,
                search.DenseNeighbourWindow > 0 && batch.Count > 1 ? Neighbours(batch, position, search.DenseNeighbourWindow) : null));
        }

        return items;
    }

    /// <summary>Vector rows for the items, or null when no model is loaded (they will be back-filled).</summary>
    public async Task<List<MemoryEmbeddingEntity>?> EmbedAsync(IReadOnlyList<IndexItem> items, CancellationToken ct)
    {
        if (!embeddings.IsEnabled || items.Count == 0)
        {
            return null;
        }

        var texts = new List<string>();
        var layout = new List<(int Start, int Chunks, int Context)>();
        foreach (var item in items)
        {
            var chunks = TextChunker.Chunk(item.Text);
            var start = texts.Count;
            texts.AddRange(chunks);
            var context = -1;
            if (item.DenseContext is { } dense)
            {
                context = texts.Count;
                texts.Add(dense);
            }

            layout.Add((start, chunks.Count, context));
        }

        float[][] vectors;
        try
        {
            vectors = await embeddings.EmbedAsync(texts, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Degrade, never fail a write: the memory is stored and found by keyword; back-fill retries later.
            LogEmbedFailed(logger, e);
            return null;
        }

        return items.Select((item, i) => new MemoryEmbeddingEntity
        {
            MemoryId = item.Id,
            UserId = item.UserId,
            Model = embeddings.ModelId,
            TextVectors = VectorCodec.Encode(vectors[layout[i].Start..(layout[i].Start + layout[i].Chunks)]),
            ContextVector = layout[i].Context >= 0 ? VectorCodec.Encode(vectors[layout[i].Context]) : null,
        }).ToList();
    }

    /// <summary>Loads the live members of the add calls <paramref name="targets"/> came from.</summary>
    public static Task<List<MemoryEntity>> BatchMembersAsync(MemoryDbContext db, IReadOnlyList<MemoryEntity> targets, CancellationToken ct)
    {
        var batchIds = targets.Select(t => t.BatchId).Distinct().ToList();
        return db.Memories.AsNoTracking().Where(m => batchIds.Contains(m.BatchId) && m.State != MemoryState.Deleted).ToListAsync(ct);
    }

    private static string Neighbours(List<MemoryEntity> batch, int position, int window)
    {
        var from = Math.Max(0, position - window);
        var to = Math.Min(batch.Count - 1, position + window);
        var parts = new List<string>(to - from + 1);
        for (var i = from; i <= to; i++)
        {
            parts.Add(batch[i].Text);
        }

        return string.Join('\n', parts);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Computing vectors failed; the memories are stored and found by keyword, vectors will be back-filled.")]
    private static partial void LogEmbedFailed(ILogger logger, Exception exception);
}
