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
/// Computes vectors: text chunks and optional neighbour context (memories written in the same add call). Also back-fills
/// vectors missing after a crash or while the model was loading, and re-indexes on a model change. (The keyword index
/// needs none of this: it follows the memories table by itself.)
/// </summary>
internal sealed partial class MemoryIndexer(
    IDbContextFactory<MemoryDbContext> contextFactory,
    IEmbeddingService embeddings,
    VectorIndex vectorIndex,
    IOptions<MemoryOptions> options,
    ILogger<MemoryIndexer> logger)
{
    private const int PageSize = 128;

    public bool EmbeddingsEnabled => embeddings.IsEnabled;

    public IEmbeddingService Embeddings => embeddings;

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

    /// <summary>
    /// Computes vectors for memories that have none under the current model (all memories when <paramref name="all"/>,
    /// after a model change). Returns how many were indexed.
    /// </summary>
    public async Task<int> BackfillAsync(bool all, IProgress<(int Done, int Total)>? progress, CancellationToken ct)
    {
        if (!embeddings.IsEnabled)
        {
            return 0;
        }

        var model = embeddings.ModelId;
        int total;
        await using (var db = await contextFactory.CreateDbContextAsync(ct))
        {
            total = await Pending(db, model, all, "").CountAsync(ct);
        }

        var done = 0;
        var after = "";
        progress?.Report((0, total));
        while (true)
        {
            await using var db = await contextFactory.CreateDbContextAsync(ct);
            var page = await Pending(db, model, all, after).OrderBy(m => m.Id).Take(PageSize).AsNoTracking().ToListAsync(ct);
            if (page.Count == 0)
            {
                break;
            }

            after = page[^1].Id;
            var items = Items(page, await BatchMembersAsync(db, page, ct));
            var rows = await EmbedAsync(items, ct);
            if (rows is null)
            {
                break;
            }

            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var ids = page.Select(m => m.Id).ToList();
            await db.Embeddings.Where(e => ids.Contains(e.MemoryId)).ExecuteDeleteAsync(ct);
            // Skip memories deleted while the vectors were computed.
            var live = await db.Memories.Where(m => ids.Contains(m.Id) && m.State != MemoryState.Deleted).Select(m => m.Id).ToListAsync(ct);
            db.Embeddings.AddRange(rows.Where(r => live.Contains(r.MemoryId)));
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
            done += page.Count;
            progress?.Report((Math.Min(done, total), total));
        }

        if (all)
        {
            vectorIndex.Clear();
        }

        if (done > 0)
        {
            LogBackfilled(logger, done, model);
        }

        return done;
    }

    private static IQueryable<MemoryEntity> Pending(MemoryDbContext db, string model, bool all, string after)
    {
        var live = db.Memories.Where(m => m.State != MemoryState.Deleted && string.Compare(m.Id, after) > 0);
        return all ? live : live.Where(m => !db.Embeddings.Any(e => e.MemoryId == m.Id && e.Model == model));
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Indexed {Count} memories under {Model}.")]
    private static partial void LogBackfilled(ILogger logger, int count, string model);
}
