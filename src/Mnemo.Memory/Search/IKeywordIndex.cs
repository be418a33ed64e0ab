using Mnemo.Memory.Storage;

namespace Mnemo.Memory.Search;

/// <summary>
/// Full-text ranking (BM25), every search scoped to one user. The index follows the memories table: writers record
/// which memories they changed, inside their own transaction (<see cref="RecordChanges"/>), and every search first
/// catches up with the changes committed since it last looked, whichever process wrote them.
/// </summary>
internal interface IKeywordIndex
{
    /// <summary>Notes that these memories were added, edited, re-stated or deleted; committed by the caller's SaveChanges.</summary>
    void RecordChanges(MemoryDbContext db, string userId, IEnumerable<string> memoryIds);

    /// <summary>Notes that all of a user's memories changed at once (delete_all, purge); committed by the caller's SaveChanges.</summary>
    Task RecordResetAsync(MemoryDbContext db, string userId, CancellationToken ct);

    /// <summary>
    /// Near-duplicate candidates: the user's active memories whose own text (not context) contains every term, newest
    /// first; cheap even on common words, since it intersects instead of ranking every match.
    /// </summary>
    Task<IReadOnlyList<string>> FindContainingAllAsync(MemoryDbContext db, string userId, IReadOnlyList<string> terms, int limit, CancellationToken ct);

    /// <summary>Best first; <paramref name="terms"/> come from <see cref="QueryTerms"/>, any of them may match.</summary>
    Task<IReadOnlyList<ScoredId>> SearchAsync(MemoryDbContext db, string userId, IReadOnlyList<string> terms, MemoryFilter filter, int limit, CancellationToken ct);

    /// <summary>
    /// Those of <paramref name="ids"/> (e.g. semantic candidates) that are the user's live memories passing
    /// <paramref name="filter"/>: the index holds every live memory's state, app, date and tags, so no row is read.
    /// Meant for right after <see cref="SearchAsync"/> in the same request: an index already loaded is used as it is.
    /// </summary>
    Task<HashSet<string>> FilterAsync(MemoryDbContext db, string userId, IReadOnlyList<string> ids, MemoryFilter filter, CancellationToken ct);

    /// <summary>Loads (or catches up) the user's index ahead of a search, e.g. at start-up.</summary>
    Task WarmUpAsync(MemoryDbContext db, string userId, CancellationToken ct);

    /// <summary>Frees the indexes of users who have not searched for <paramref name="idle"/>; returns how many.</summary>
    int EvictIdle(TimeSpan idle);
}
