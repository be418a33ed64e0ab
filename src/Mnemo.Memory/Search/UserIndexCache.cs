using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Mnemo.Memory.Search.Embeddings;
using Mnemo.Memory.Search.Keyword;
using Mnemo.Memory.Storage;

namespace Mnemo.Memory.Search;

/// <summary>
/// One <see cref="UserSearchIndex"/> per user, in memory: loaded from the database on the user's first use, brought up
/// to date from the change feed before each use, freed when idle. The database stays the source of truth: nothing
/// here is saved, a restart rebuilds it, and ranking settings apply without a re-index. Tenancy: a user's indexes
/// hold only rows read with <c>user_id = @user</c>; there is no shared structure to leak through.
/// </summary>
internal sealed class UserIndexCache(IEmbeddingService embeddings, IOptions<MemoryOptions> options, TimeProvider time)
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

    /// <summary>
    /// Runs <paramref name="read"/> on the user's indexes, alone (one caller per user at a time: the indexes and their
    /// scratch space are not thread-safe; other users go on). Loads them if they are not in memory.
    /// </summary>
    /// <param name="vectors">Also load the vectors if a model is loaded and they are not.</param>
    /// <param name="catchUp">Read the feed first; false right after a call that did, in the same request.</param>
    public async Task<T> UseAsync<T>(MemoryDbContext db, string userId, bool vectors, bool catchUp, Func<UserSearchIndex, T> read, CancellationToken ct)
    {
        var entry = _users.GetOrAdd(userId, _ => new UserEntry());
        await entry.Gate.WaitAsync(ct);
        try
        {
            entry.LastUsedTicks = time.GetUtcNow().UtcTicks;
            var before = entry.Index;
            if (entry.Index is null)
            {
                entry.Index = await LoadAsync(db, userId, vectors && embeddings.IsEnabled, ct);
            }
            else if (catchUp)
            {
                entry.Index = await CatchUpAsync(db, userId, entry.Index, ct);
            }

            if (!ReferenceEquals(before, entry.Index))
            {
                entry.Loads++;
            }

            if (vectors && embeddings.IsEnabled && entry.Index.VectorModel != embeddings.ModelId)
            {
                await LoadVectorsAsync(db, userId, entry.Index, null, ct);
            }

            return read(entry.Index);
        }
        finally
        {
            entry.Gate.Release();
        }
    }

    /// <summary>
    /// Frees the indexes of users who have not searched for <paramref name="idle"/>; their next search reloads them.
    /// An index in use is skipped (its gate is taken), so a search never finds its index gone; returns how many users.
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

    /// <summary>Whether the user's keyword index (and, with <paramref name="vectors"/>, their vectors) are in memory.</summary>
    public bool IsLoaded(string userId, bool vectors) =>
        _users.TryGetValue(userId, out var entry) && entry.Index is { } index && (!vectors || index.Vectors is not null);

    /// <summary>
    /// What the user's keyword index holds now, without catching up, and how many times it was loaded from the tables
    /// (first use, reloads): lets a test tell a catch-up that followed the feed from a reload that hid a gap in it.
    /// </summary>
    public (int Loads, IReadOnlyList<string> Ids)? Inspect(string userId)
    {
        if (!_users.TryGetValue(userId, out var entry))
        {
            return null;
        }

        entry.Gate.Wait();
        try
        {
            return entry.Index is { } index ? (entry.Loads, index.Keyword.Ids.ToList()) : null;
        }
        finally
        {
            entry.Gate.Release();
        }
    }

    private async Task<UserSearchIndex> CatchUpAsync(MemoryDbContext db, string userId, UserSearchIndex index, CancellationToken ct)
    {
        var (changes, position) = await ChangeFeed.ReadAsync(db, userId, index.Position, ct);
        if (changes.Count == 0)
        {
            index.MoveTo(position);
            return index;
        }

        // A reset marker (delete_all, purge), or more changes than a reload costs (bulk imports): start again from the tables.
        if (changes.Count > MaxIncrementalChanges || changes.Any(c => c.MemoryId.Length == 0))
        {
            return await LoadAsync(db, userId, index.Vectors is not null, ct);
        }

        var ids = changes.Select(c => c.MemoryId).Distinct(StringComparer.Ordinal).ToList();
        var documents = await SearchFeed.DocumentsAsync(db, userId, ids, ct);
        var vectors = index.VectorModel is { } model
            ? await SearchFeed.VectorsAsync(db, userId, model, ids, documents.ToDictionary(d => d.Id, d => d.Facts, StringComparer.Ordinal), ct)
            : [];
        index.Apply(ids, documents, vectors, position);
        return index;
    }

    private async Task<UserSearchIndex> LoadAsync(MemoryDbContext db, string userId, bool vectors, CancellationToken ct)
    {
        // The position is read before the rows: a change committed in between is loaded now and applied again later
        // (harmless, see SearchFeed), never missed.
        var position = await ChangeFeed.PositionAsync(db, userId, ct);
        var documents = await SearchFeed.DocumentsAsync(db, userId, null, ct);
        var keyword = new UserKeywordIndex(Ranking);
        foreach (var document in documents)
        {
            keyword.Upsert(document);
        }

        var index = new UserSearchIndex(keyword, position);
        if (vectors)
        {
            await LoadVectorsAsync(db, userId, index, documents.ToDictionary(d => d.Id, d => d.Facts, StringComparer.Ordinal), ct);
        }

        return index;
    }

    /// <param name="facts">The live memories' facts if just read (else read now; either way at or after the index's position).</param>
    private async Task LoadVectorsAsync(
        MemoryDbContext db, string userId, UserSearchIndex index, IReadOnlyDictionary<string, MemoryFacts>? facts, CancellationToken ct)
    {
        var model = embeddings.ModelId;
        facts ??= await SearchFeed.FactsAsync(db, userId, ct);
        index.LoadVectors(model, embeddings.Dimensions, await SearchFeed.VectorsAsync(db, userId, model, null, facts, ct));
    }

    private sealed class UserEntry
    {
        private long _lastUsedTicks;

        public SemaphoreSlim Gate { get; } = new(1, 1);

        public UserSearchIndex? Index { get; set; }

        /// <summary>How many times <see cref="Index"/> was (re)loaded from the tables; changed under the gate.</summary>
        public int Loads { get; set; }

        /// <summary>UTC ticks of the last use; read without the gate by <see cref="EvictIdle"/>, so never half-written.</summary>
        public long LastUsedTicks
        {
            get => Volatile.Read(ref _lastUsedTicks);
            set => Volatile.Write(ref _lastUsedTicks, value);
        }
    }
}
