using Mnemo.Memory.Memories;
using Mnemo.Memory.Storage;

namespace Mnemo.Memory.Search;

/// <summary>A memory's text as the keyword index sees it: <see cref="Context"/> carries neighbouring text, ranked lower.</summary>
internal sealed record KeywordDocument(string MemoryId, string UserId, string Text, string Context);

/// <summary>The filters every search applies, already validated. Times are UTC ticks; both bounds are inclusive (occurred_after <= t <= occurred_before).</summary>
internal sealed record MemoryFilter(MemoryState State, IReadOnlyList<string> Tags, long? OccurredAfter, long? OccurredBefore, string? App);

internal readonly record struct ScoredId(string Id, double Score);

/// <summary>
/// Full-text ranking (BM25). Writes happen on the caller's <see cref="MemoryDbContext"/> inside its transaction,
/// so the index and the memories commit or roll back together. Every search is scoped to one user.
/// </summary>
internal interface IKeywordIndex
{
    Task UpsertAsync(MemoryDbContext db, IReadOnlyList<KeywordDocument> documents, CancellationToken ct);

    Task RemoveAsync(MemoryDbContext db, IReadOnlyList<string> memoryIds, CancellationToken ct);

    Task RemoveAllAsync(MemoryDbContext db, string userId, CancellationToken ct);

    /// <summary>
    /// Near-duplicate candidates: the user's active memories whose own text (not context) contains every term; cheap
    /// even on common words, since it intersects instead of ranking every match.
    /// </summary>
    Task<IReadOnlyList<string>> FindContainingAllAsync(MemoryDbContext db, string userId, IReadOnlyList<string> terms, int limit, CancellationToken ct);

    /// <summary>Best first; <paramref name="terms"/> come from <see cref="QueryTerms"/>, any of them may match.</summary>
    Task<IReadOnlyList<ScoredId>> SearchAsync(MemoryDbContext db, string userId, IReadOnlyList<string> terms, MemoryFilter filter, int limit, CancellationToken ct);
}
