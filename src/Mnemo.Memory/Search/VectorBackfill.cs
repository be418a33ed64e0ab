using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Mnemo.Memory.Search.Embeddings;
using Mnemo.Memory.Storage;

namespace Mnemo.Memory.Search;

/// <summary>
/// Computes vectors for memories stored without one under the current model (written while the model was loading,
/// before a kill -9, by a process without a model, or under another model), or for every memory after a model change
/// (<c>mnemo reindex</c>). Pages are computed outside any transaction and stored through <see cref="SearchIndex"/>,
/// which appends their feed rows, so every process's vector index picks them up; several processes running it at once
/// store each vector once (the later one finds it there).
/// </summary>
internal sealed partial class VectorBackfill(
    IDbContextFactory<MemoryDbContext> contextFactory,
    IEmbeddingService embeddings,
    MemoryVectors vectors,
    SearchIndex search,
    ILogger<VectorBackfill> logger)
{
    private const int PageSize = 128;

    /// <summary>Back-fills (or with <paramref name="all"/>, recomputes) vectors; returns how many it stored.</summary>
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

        var (done, stored) = (0, 0);
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
            var rows = await vectors.EmbedAsync(vectors.Items(page, await MemoryVectors.BatchMembersAsync(db, page, ct)), ct);
            if (rows is null)
            {
                break;
            }

            await using var transaction = await MemoryWriteTransaction.BeginAsync(db, page.Select(m => m.UserId), ct);
            stored += await search.RecordComputedVectorsAsync(db, page, rows, replace: all, ct);
            await transaction.CommitAsync(ct);
            done += page.Count;
            progress?.Report((Math.Min(done, total), total));
        }

        if (stored > 0)
        {
            LogBackfilled(logger, stored, model);
        }

        return stored;
    }

    private static IQueryable<MemoryEntity> Pending(MemoryDbContext db, string model, bool all, string after)
    {
        var live = db.Memories.Where(m => m.State != MemoryState.Deleted && string.Compare(m.Id, after) > 0);
        return all ? live : live.Where(m => !db.Embeddings.Any(e => e.MemoryId == m.Id && e.Model == model));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Indexed {Count} memories under {Model}.")]
    private static partial void LogBackfilled(ILogger logger, int count, string model);
}
