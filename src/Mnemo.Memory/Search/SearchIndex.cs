using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Mnemo.Memory.Search.Embeddings;
using Mnemo.Memory.Storage;

namespace Mnemo.Memory.Search;

/// <summary>
/// The one owner of search bookkeeping. The invariant it keeps: after every commit, <c>memory_embeddings</c> holds the
/// current vectors of live memories, and every memory whose text, state, tags or vectors changed has a row in the
/// <c>memory_changes</c> feed, written in the same transaction. Writers call a <c>Record…</c> method inside their
/// transaction and nothing else; both in-memory indexes (keyword and vector, one <see cref="UserSearchIndex"/> per user)
/// follow that single feed, whichever process wrote, before every search (<see cref="RankAsync"/>).
/// </summary>
internal sealed partial class SearchIndex(
    IEmbeddingService embeddings,
    MemoryVectors vectors,
    IOptions<MemoryOptions> options,
    RankingVariant variant,
    TimeProvider time)
{
    private readonly UserIndexCache _cache = new(embeddings, options, time);

    /// <summary>
    /// Vector rows for memories about to be added, computed before the writer's transaction (the model is the slow part
    /// and must not hold SQLite's write lock); null without a loaded model (the back-fill computes them later).
    /// </summary>
    public Task<List<MemoryEmbeddingEntity>?> ComputeVectorsAsync(IReadOnlyList<MemoryEntity> memories, CancellationToken ct) =>
        vectors.EmbedAsync(vectors.Items(memories, memories), ct);

    /// <summary>
    /// An add call: stores the vectors of <paramref name="added"/> (computed by <see cref="ComputeVectorsAsync"/>; rows
    /// of other memories are ignored), recomputes those of <paramref name="refreshed"/> (existing memories the call
    /// repeated, now with its text), appends the feed rows of both and saves the writer's pending changes.
    /// </summary>
    public async Task RecordAddedAsync(
        MemoryDbContext db, IReadOnlyList<MemoryEntity> added, IReadOnlyList<MemoryEmbeddingEntity>? addedVectors,
        IReadOnlyList<MemoryEntity> refreshed, CancellationToken ct)
    {
        if (addedVectors is not null)
        {
            var ids = added.Select(m => m.Id).ToHashSet(StringComparer.Ordinal);
            db.Embeddings.AddRange(addedVectors.Where(v => ids.Contains(v.MemoryId)));
        }

        AppendChanges(db, added);
        await RecordChangedAsync(db, refreshed, textChanged: true, ct);
    }

    /// <summary>
    /// Memories edited, re-stated or soft-deleted (the tracked entities already changed): appends their feed rows, saves
    /// the writer's pending changes, then drops the vectors of deleted ones and, with <paramref name="textChanged"/>,
    /// recomputes the others' from the saved rows (their neighbours' texts included).
    /// </summary>
    public async Task RecordChangedAsync(MemoryDbContext db, IReadOnlyList<MemoryEntity> changed, bool textChanged, CancellationToken ct)
    {
        AppendChanges(db, changed);
        await db.SaveChangesAsync(ct);
        var stale = changed.Where(m => textChanged || m.State == MemoryState.Deleted).Select(m => m.Id).ToList();
        if (stale.Count == 0)
        {
            return;
        }

        await db.Embeddings.Where(e => stale.Contains(e.MemoryId)).ExecuteDeleteAsync(ct);
        var rewritten = changed.Where(m => textChanged && m.State != MemoryState.Deleted).ToList();
        if (rewritten.Count > 0
            && await vectors.EmbedAsync(vectors.Items(rewritten, await MemoryVectors.BatchMembersAsync(db, rewritten, ct)), ct) is { } rows)
        {
            db.Embeddings.AddRange(rows);
            await db.SaveChangesAsync(ct);
        }
    }

    /// <summary>
    /// All of a user's memories changed at once (delete_all, purge): drops their vectors and their earlier feed rows
    /// (superseded) and appends a "reload this user" marker; saves the writer's pending changes.
    /// </summary>
    public async Task RecordResetAsync(MemoryDbContext db, string userId, CancellationToken ct)
    {
        await db.Embeddings.Where(e => e.UserId == userId).ExecuteDeleteAsync(ct);
        await db.Changes.Where(c => c.UserId == userId).ExecuteDeleteAsync(ct);
        db.Changes.Add(new MemoryChangeEntity { UserId = userId, MemoryId = "" });
        await db.SaveChangesAsync(ct);
    }

    /// <summary>
    /// Back-fill: stores <paramref name="rows"/>, computed outside any transaction from <paramref name="page"/>, for the
    /// memories still live with the same text and (unless <paramref name="replace"/>) still without a vector under this
    /// model, with their feed rows; returns how many. Run in a transaction, so when several processes back-fill the same
    /// memories the later one finds them done and stores nothing (and a memory edited meanwhile keeps its newer vectors).
    /// </summary>
    public async Task<int> RecordComputedVectorsAsync(
        MemoryDbContext db, IReadOnlyList<MemoryEntity> page, IReadOnlyList<MemoryEmbeddingEntity> rows, bool replace, CancellationToken ct)
    {
        var ids = page.Select(m => m.Id).ToList();
        var model = embeddings.ModelId;
        var current = await db.Memories.AsNoTracking()
            .Where(m => ids.Contains(m.Id) && m.State != MemoryState.Deleted)
            .Select(m => new { m.Id, m.Text })
            .ToDictionaryAsync(m => m.Id, m => m.Text, StringComparer.Ordinal, ct);
        var done = replace
            ? []
            : (await db.Embeddings.Where(e => ids.Contains(e.MemoryId) && e.Model == model).Select(e => e.MemoryId).ToListAsync(ct))
                .ToHashSet(StringComparer.Ordinal);
        var store = page.Where(m => current.GetValueOrDefault(m.Id) == m.Text && !done.Contains(m.Id)).ToList();
        if (store.Count == 0)
        {
            return 0;
        }

        var storeIds = store.Select(m => m.Id).ToList();
        await db.Embeddings.Where(e => storeIds.Contains(e.MemoryId)).ExecuteDeleteAsync(ct);
        db.Embeddings.AddRange(rows.Where(r => storeIds.Contains(r.MemoryId)));
        AppendChanges(db, store);
        await db.SaveChangesAsync(ct);
        return store.Count;
    }

    /// <summary>Loads (or catches up) a user's indexes ahead of a search, e.g. at start-up; vectors only with a model loaded.</summary>
    public Task WarmUpAsync(MemoryDbContext db, string userId, bool withVectors, CancellationToken ct) =>
        _cache.UseAsync(db, userId, withVectors, catchUp: true, _ => true, ct);

    /// <summary>Frees the indexes of users who have not searched for <paramref name="idle"/>; returns how many users.</summary>
    public int EvictIdle(TimeSpan idle) => _cache.EvictIdle(idle);

    /// <summary>Whether the user's keyword index (and, with <paramref name="vectors"/>, their vectors) are in memory (warm-up and eviction tests).</summary>
    internal bool IsLoaded(string userId, bool vectors = false) => _cache.IsLoaded(userId, vectors);

    /// <summary>The ids in the user's keyword index as it is (no catch-up) and how often it was loaded; null when not loaded (feed tests).</summary>
    internal (int Loads, IReadOnlyList<string> Ids)? Inspect(string userId) => _cache.Inspect(userId);

    /// <summary>One feed row per memory, committed with the writer's transaction.</summary>
    private static void AppendChanges(MemoryDbContext db, IEnumerable<MemoryEntity> memories) =>
        db.Changes.AddRange(memories.DistinctBy(m => m.Id, StringComparer.Ordinal).Select(m => new MemoryChangeEntity { UserId = m.UserId, MemoryId = m.Id }));
}
