using Microsoft.EntityFrameworkCore;
using Mnemo.Memory.Search.Keyword;
using Mnemo.Memory.Storage;

namespace Mnemo.Memory.Search;


/// <summary>A memory's stored vectors, with the facts a search filters it by.</summary>
internal sealed record StoredVectors(string MemoryId, MemoryFacts Facts, byte[] TextVectors, byte[]? ContextVector);

/// <summary>
/// Everything the in-memory indexes read from the database: the <c>memory_changes</c> feed and the current rows of the
/// memories it names. Reading a change means re-reading the memory as it is now (never applying a delta), so a change
/// read twice, or a row read later than its change, is harmless: this is what lets a loader read its position before
/// its rows and catch up from there. Every query is filtered by the user id.
/// </summary>
internal static class SearchFeed
{
    /// <summary>The user's live memories (all, or those among <paramref name="ids"/>) as keyword documents, by add call and position.</summary>
    public static async Task<List<KeywordDocument>> DocumentsAsync(MemoryDbContext db, string userId, IReadOnlyList<string>? ids, CancellationToken ct)
    {
        var memories = Live(db, userId, ids);
        var rows = await memories
            .Select(m => new { m.Id, m.State, m.App, m.OccurredAt, m.BatchId, m.BatchIndex, m.Text })
            .AsNoTracking()
            .ToListAsync(ct);
        var tags = await TagsAsync(db, memories, ct);
        return [.. rows
            .OrderBy(r => r.BatchId, StringComparer.Ordinal).ThenBy(r => r.BatchIndex)
            .Select(r => new KeywordDocument(r.Id, new MemoryFacts(r.State, r.App, r.OccurredAt, tags.GetValueOrDefault(r.Id) ?? []), r.BatchId, r.BatchIndex, r.Text))];
    }

    /// <summary>The facts of all the user's live memories (no text): what a vector load filters by.</summary>
    public static async Task<Dictionary<string, MemoryFacts>> FactsAsync(MemoryDbContext db, string userId, CancellationToken ct)
    {
        var memories = Live(db, userId, null);
        var rows = await memories.Select(m => new { m.Id, m.State, m.App, m.OccurredAt }).AsNoTracking().ToListAsync(ct);
        var tags = await TagsAsync(db, memories, ct);
        return rows.ToDictionary(r => r.Id, r => new MemoryFacts(r.State, r.App, r.OccurredAt, tags.GetValueOrDefault(r.Id) ?? []), StringComparer.Ordinal);
    }

    /// <summary>
    /// The user's vectors under <paramref name="model"/> (all, or those of <paramref name="ids"/>) whose memory is in
    /// <paramref name="facts"/> (live when the facts were read), in the order they were written: ties in a scan then
    /// break the same way in every process.
    /// </summary>
    public static async Task<List<StoredVectors>> VectorsAsync(
        MemoryDbContext db, string userId, string model, IReadOnlyList<string>? ids, IReadOnlyDictionary<string, MemoryFacts> facts, CancellationToken ct)
    {
        var rows = db.Embeddings.AsNoTracking().Where(e => e.UserId == userId && e.Model == model);
        if (ids is not null)
        {
            rows = rows.Where(e => ids.Contains(e.MemoryId));
        }

        var stored = await rows.OrderBy(e => e.Seq).Select(e => new { e.MemoryId, e.TextVectors, e.ContextVector }).ToListAsync(ct);
        return [.. stored
            .Where(r => facts.ContainsKey(r.MemoryId))
            .Select(r => new StoredVectors(r.MemoryId, facts[r.MemoryId], r.TextVectors, r.ContextVector))];
    }

    private static IQueryable<MemoryEntity> Live(MemoryDbContext db, string userId, IReadOnlyList<string>? ids)
    {
        var memories = db.Memories.Where(m => m.UserId == userId && m.State != MemoryState.Deleted);
        return ids is null ? memories : memories.Where(m => ids.Contains(m.Id));
    }

    private static async Task<Dictionary<string, string[]>> TagsAsync(MemoryDbContext db, IQueryable<MemoryEntity> memories, CancellationToken ct)
    {
        var tags = await db.Tags.AsNoTracking()
            .Where(t => memories.Any(m => m.Id == t.MemoryId))
            .Select(t => new { t.MemoryId, t.Tag })
            .ToListAsync(ct);
        return tags.GroupBy(t => t.MemoryId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Select(t => t.Tag).ToArray(), StringComparer.Ordinal);
    }
}
