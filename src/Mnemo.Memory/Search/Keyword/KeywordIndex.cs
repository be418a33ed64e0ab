using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Mnemo.Memory.Storage;

namespace Mnemo.Memory.Search.Keyword;

/// <summary>
/// The keyword index: one <see cref="UserKeywordIndex"/> per user, in memory, built from the memories table on the
/// user's first search and kept current through the <c>memory_changes</c> feed. The database stays the source of
/// truth: nothing here needs saving, a restart rebuilds it, and ranking settings apply without a re-index.
/// </summary>
/// <remarks>
/// Why not SQLite FTS5: ranking an OR query of common words makes FTS5 score every matching row through its
/// auxiliary-function interface (177 ms at 100k memories, measured), and its statistics are shared by every user of
/// the table. Here one query costs about a millisecond per 100k postings, and statistics are per user.
/// Tenancy: each user's index holds only rows loaded with <c>user_id = @user</c>; there is no shared structure to
/// leak through.
/// </remarks>
internal sealed class KeywordIndex(IOptions<MemoryOptions> options, TimeProvider time) : IKeywordIndex
{
    /// <summary>Above this many changed memories a catch-up reloads the user (also keeps the id list far below SQLite's variable limit).</summary>
    private const int MaxIncrementalChanges = 2_000;

    private readonly ConcurrentDictionary<string, UserEntry> _users = new(StringComparer.Ordinal);

    private KeywordRanking Ranking
    {
        get
        {
            var search = options.Value.Search;
            return new KeywordRanking(search.NeighbourWindow, (float)search.KeywordContextWeight, search.KeywordDates);
        }
    }

    public void RecordChanges(MemoryDbContext db, string userId, IEnumerable<string> memoryIds) =>
        db.Changes.AddRange(memoryIds.Distinct(StringComparer.Ordinal).Select(id => new MemoryChangeEntity { UserId = userId, MemoryId = id }));

    public async Task RecordResetAsync(MemoryDbContext db, string userId, CancellationToken ct)
    {
        // The marker supersedes every earlier change of the user: those rows are no longer needed.
        await db.Changes.Where(c => c.UserId == userId).ExecuteDeleteAsync(ct);
        db.Changes.Add(new MemoryChangeEntity { UserId = userId, MemoryId = "" });
    }

    public async Task<IReadOnlyList<ScoredId>> SearchAsync(
        MemoryDbContext db, string userId, IReadOnlyList<string> terms, MemoryFilter filter, int limit, CancellationToken ct)
    {
        var stems = KeywordTokenizer.QueryStems(terms);
        return stems.Count == 0 ? [] : await WithIndexAsync(db, userId, index => index.Search(stems, filter, limit), ct);
    }

    public async Task<IReadOnlyList<string>> FindContainingAllAsync(
        MemoryDbContext db, string userId, IReadOnlyList<string> terms, int limit, CancellationToken ct)
    {
        var stems = KeywordTokenizer.QueryStems(terms);
        return stems.Count == 0 ? [] : await WithIndexAsync(db, userId, index => index.ContainingAll(stems, limit), ct);
    }

    // Called right after this request's keyword search caught up: another round trip would only find changes committed
    // in the last milliseconds, and the rows returned are re-read (owner, deleted) anyway.
    public Task<HashSet<string>> FilterAsync(MemoryDbContext db, string userId, IReadOnlyList<string> ids, MemoryFilter filter, CancellationToken ct) =>
        WithIndexAsync(db, userId, index => index.Filter(ids, filter), ct, catchUp: false);

    public Task WarmUpAsync(MemoryDbContext db, string userId, CancellationToken ct) => WithIndexAsync(db, userId, _ => true, ct);

    /// <summary>
    /// Frees the indexes of users who have not searched for <paramref name="idle"/>; their next search reloads them.
    /// An index in use is skipped (its gate is taken), so a search never finds its index gone.
    /// </summary>
    public int EvictIdle(TimeSpan idle)
    {
        var cutoff = (time.GetUtcNow() - idle).UtcTicks;
        var evicted = 0;
        foreach (var entry in _users.Values)
        {
            if (entry.LastUsedTicks > cutoff || !entry.Gate.Wait(0))
            {
                continue;
            }

            try
            {
                if (entry.Index is not null)
                {
                    // The entry itself stays: a caller may already hold it from GetOrAdd and wait on its gate.
                    entry.Index = null;
                    entry.LastSeq = 0;
                    evicted++;
                }
            }
            finally
            {
                entry.Gate.Release();
            }
        }

        return evicted;
    }

    /// <summary>Whether the user's index is in memory (tests of the start-up warm-up).</summary>
    internal bool IsLoaded(string userId) => _users.TryGetValue(userId, out var entry) && entry.Index is not null;

    /// <param name="catchUp">False: use the index as loaded (it is still loaded first if it never was).</param>
    private async Task<T> WithIndexAsync<T>(MemoryDbContext db, string userId, Func<UserKeywordIndex, T> use, CancellationToken ct, bool catchUp = true)
    {
        var entry = _users.GetOrAdd(userId, _ => new UserEntry());
        // One caller per user at a time: the index and its scratch space are not thread-safe. Other users go on.
        await entry.Gate.WaitAsync(ct);
        try
        {
            entry.LastUsedTicks = time.GetUtcNow().UtcTicks;
            if (catchUp || entry.Index is null)
            {
                await CatchUpAsync(db, userId, entry, ct);
            }

            return use(entry.Index!);
        }
        finally
        {
            entry.Gate.Release();
        }
    }

    private async Task CatchUpAsync(MemoryDbContext db, string userId, UserEntry entry, CancellationToken ct)
    {
        if (entry.Index is null)
        {
            await LoadAsync(db, userId, entry, ct);
            return;
        }

        var last = entry.LastSeq;
        var changes = await db.Changes.AsNoTracking()
            .Where(c => c.UserId == userId && c.Seq > last)
            .OrderBy(c => c.Seq)
            .Select(c => new { c.Seq, c.MemoryId })
            .ToListAsync(ct);
        if (changes.Count == 0)
        {
            return;
        }

        // A reset marker, or more changes than a reload costs (bulk imports): start again from the table.
        if (changes.Count > MaxIncrementalChanges || changes.Any(c => c.MemoryId.Length == 0))
        {
            await LoadAsync(db, userId, entry, ct);
            return;
        }

        var ids = changes.Select(c => c.MemoryId).Distinct(StringComparer.Ordinal).ToList();
        var documents = await DocumentsAsync(db, userId, db.Memories.Where(m => ids.Contains(m.Id)), ct);
        foreach (var id in ids)
        {
            // Deleted, purged or (never) another user's: gone from this user's index.
            entry.Index.Remove(id);
        }

        foreach (var document in documents)
        {
            entry.Index.Upsert(document);
        }

        entry.LastSeq = changes[^1].Seq;
    }

    private async Task LoadAsync(MemoryDbContext db, string userId, UserEntry entry, CancellationToken ct)
    {
        // The position is read before the rows: a change committed in between is loaded now and applied again later
        // (harmless), never missed.
        var last = await db.Changes.Where(c => c.UserId == userId).MaxAsync(c => (long?)c.Seq, ct) ?? 0;
        var documents = await DocumentsAsync(db, userId, db.Memories.Where(m => m.UserId == userId), ct);
        var index = new UserKeywordIndex(Ranking);
        foreach (var document in documents)
        {
            index.Upsert(document);
        }

        entry.Index = index;
        entry.LastSeq = last;
    }

    private static async Task<List<KeywordDocument>> DocumentsAsync(MemoryDbContext db, string userId, IQueryable<MemoryEntity> memories, CancellationToken ct)
    {
        var rows = await memories
            .Where(m => m.UserId == userId && m.State != MemoryState.Deleted)
            .Select(m => new { m.Id, m.State, m.App, m.OccurredAt, m.BatchId, m.BatchIndex, m.Text })
            .AsNoTracking()
            .ToListAsync(ct);
        var tags = await db.Tags.AsNoTracking()
            .Where(t => memories.Any(m => m.Id == t.MemoryId && m.UserId == userId && m.State != MemoryState.Deleted))
            .Select(t => new { t.MemoryId, t.Tag })
            .ToListAsync(ct);
        var tagsById = tags.GroupBy(t => t.MemoryId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(t => t.Tag).ToArray(), StringComparer.Ordinal);
        return [.. rows
            .OrderBy(r => r.BatchId, StringComparer.Ordinal).ThenBy(r => r.BatchIndex)
            .Select(r => new KeywordDocument(r.Id, new MemoryFacts(r.State, r.App, r.OccurredAt, tagsById.GetValueOrDefault(r.Id) ?? []), r.BatchId, r.BatchIndex, r.Text))];
    }

    private sealed class UserEntry
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);
        public UserKeywordIndex? Index { get; set; }
        public long LastSeq { get; set; }
        private long _lastUsedTicks;

        /// <summary>UTC ticks of the last use; read without the gate by <see cref="EvictIdle"/>, so never half-written.</summary>
        public long LastUsedTicks
        {
            get => Volatile.Read(ref _lastUsedTicks);
            set => Volatile.Write(ref _lastUsedTicks, value);
        }
    }
}
