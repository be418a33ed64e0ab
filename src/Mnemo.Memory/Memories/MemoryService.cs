using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Mnemo.Memory.Search;
using Mnemo.Memory.Storage;

namespace Mnemo.Memory.Memories;

/// <summary>
/// The memory service on EF Core. Rules: every input is validated before anything is written; writes are one
/// transaction (memories, tags, history, keyword index, access log) committed before the method returns; every
/// query is filtered by the caller's user id, so another user's memory is indistinguishable from a missing one.
/// </summary>
internal sealed class MemoryService(
    IDbContextFactory<MemoryDbContext> contextFactory,
    IKeywordIndex keywordIndex,
    VectorIndex vectorIndex,
    MemoryIndexer indexer,
    IOptions<MemoryOptions> options,
    TimeProvider time) : IMemoryService
{
    private MemorySearchOptions SearchOptions => options.Value.Search;

    public async Task<IReadOnlyList<AddOutcome>> AddAsync(MemoryCaller caller, IReadOnlyList<NewMemory> memories, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (memories is null || memories.Count is 0 or > MemoryErrors.MaxItems)
        {
            throw new MemoryValidationException(MemoryErrors.ItemCount("memories", memories?.Count ?? 0));
        }

        var inputs = new List<(string Text, IReadOnlyList<string> Tags, long OccurredAt)>(memories.Count);
        var now = Now();
        for (var i = 0; i < memories.Count; i++)
        {
            var memory = memories[i] ?? throw new MemoryValidationException(MemoryErrors.TextEmpty(i));
            inputs.Add((MemoryInput.Text(memory.Text, i), MemoryInput.Tags(memory.Tags, $"memories[{i}].tags"), memory.OccurredAt?.UtcTicks ?? now));
        }

        var app = MemoryInput.App(caller.App);
        var batchId = Guid.CreateVersion7().ToString();
        var entities = inputs.Select((input, index) => new MemoryEntity
        {
            Id = Guid.CreateVersion7().ToString(),
            UserId = caller.UserId,
            Text = input.Text,
            State = MemoryState.Active,
            App = app,
            OccurredAt = input.OccurredAt,
            CreatedAt = now,
            UpdatedAt = now,
            BatchId = batchId,
            BatchIndex = index,
            Tags = input.Tags.Select(tag => new MemoryTagEntity { MemoryId = "", Tag = tag }).ToList(),
        }).ToList();
        foreach (var entity in entities)
        {
            entity.Tags.ForEach(tag => tag.MemoryId = entity.Id);
        }

        // Vectors are computed before the write lock is taken; without a loaded model they are back-filled later.
        var items = indexer.Items(entities, entities);
        var vectors = await indexer.EmbedAsync(items, cancellationToken);

        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var outcomes = await Deduplicator.ResolveAsync(db, keywordIndex, entities, vectors, options.Value.DeduplicationThreshold, cancellationToken);
        var added = new List<int>();
        for (var i = 0; i < entities.Count; i++)
        {
            if (outcomes[i] is { } duplicate)
            {
                if (duplicate.Existing is { } existing)
                {
                    // A near-duplicate refreshes the existing memory (history keeps the old text) instead of adding a copy.
                    db.History.Add(History(existing, entities[i].Text, existing.State, app, now));
                    existing.Text = entities[i].Text;
                    existing.OccurredAt = entities[i].OccurredAt;
                    existing.UpdatedAt = now;
                    foreach (var tag in entities[i].Tags.Where(t => existing.Tags.All(e => e.Tag != t.Tag)).Take(Math.Max(0, MemoryErrors.MaxTags - existing.Tags.Count)))
                    {
                        existing.Tags.Add(new MemoryTagEntity { MemoryId = existing.Id, Tag = tag.Tag });
                    }
                }
            }
            else
            {
                added.Add(i);
                db.Memories.Add(entities[i]);
            }
        }

        var results = entities.Select((e, i) => outcomes[i] is { } d ? new AddOutcome(d.Id, "updated") : new AddOutcome(e.Id, "added")).ToList();
        LogAccess(db, caller, "add", results.Select(r => r.Id).Distinct(), now);
        if (vectors is not null)
        {
            var keep = added.Select(i => entities[i].Id).ToHashSet(StringComparer.Ordinal);
            db.Embeddings.AddRange(vectors.Where(v => keep.Contains(v.MemoryId)));
        }

        // A refreshed memory keeps its place (and neighbours) in the add call that first wrote it.
        var refreshed = outcomes.Where(o => o?.Existing is not null).Select(o => o!.Existing!).DistinctBy(e => e.Id).ToList();
        keywordIndex.RecordChanges(db, caller.UserId, added.Select(i => entities[i].Id).Concat(refreshed.Select(e => e.Id)));
        await db.SaveChangesAsync(cancellationToken);
        if (refreshed.Count > 0)
        {
            await ReembedAsync(db, refreshed, cancellationToken);
        }

        // Committed before the acknowledgement: an id the caller receives survives a crash.
        await transaction.CommitAsync(cancellationToken);
        return results;
    }

    /// <summary>Replaces the vectors of memories whose text changed (inside the caller's transaction).</summary>
    private async Task ReembedAsync(MemoryDbContext db, IReadOnlyList<MemoryEntity> changed, CancellationToken ct)
    {
        var ids = changed.Select(c => c.Id).ToList();
        await db.Embeddings.Where(e => ids.Contains(e.MemoryId)).ExecuteDeleteAsync(ct);
        var items = indexer.Items(changed, await MemoryIndexer.BatchMembersAsync(db, changed, ct));
        if (await indexer.EmbedAsync(items, ct) is { } rows)
        {
            db.Embeddings.AddRange(rows);
            await db.SaveChangesAsync(ct);
        }
    }

    public async Task<IReadOnlyList<SearchHit>> SearchAsync(MemoryCaller caller, SearchRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(request);
        var query = request.Query?.Trim() ?? "";
        if (query.Length == 0)
        {
            throw new MemoryValidationException(MemoryErrors.QueryEmpty());
        }

        if (query.Length > MemoryErrors.MaxQueryLength)
        {
            throw new MemoryValidationException(MemoryErrors.QueryTooLong(query.Length));
        }

        var limit = MemoryInput.Limit(request.Limit);
        var filter = Filter(request.State, request.Tags, request.App, "tags", request.OccurredAfter, request.OccurredBefore);
        var terms = QueryTerms.Extract(query);

        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        // A query of stop-words or punctuation only matches nothing: an empty result, not an error.
        var ranked = terms.Count == 0 ? [] : await RankAsync(db, caller.UserId, query, terms, filter, limit, cancellationToken);
        var records = await LoadAsync(db, caller.UserId, ranked.Select(r => r.Id).ToList(), cancellationToken);
        var hits = ranked
            .Where(r => records.ContainsKey(r.Id))
            .Select(r => new SearchHit(records[r.Id], r.Score))
            .ToList();

        LogAccess(db, caller, "search", hits.Select(h => h.Memory.Id), Now());
        await db.SaveAccessLogAsync(cancellationToken);
        return hits;
    }

    /// <summary>Keyword and semantic candidates, fused; best first, at most <paramref name="limit"/>.</summary>
    private async Task<List<ScoredId>> RankAsync(
        MemoryDbContext db, string userId, string query, IReadOnlyList<string> terms, MemoryFilter filter, int limit, CancellationToken ct)
    {
        var search = SearchOptions;
        var candidates = Math.Max(limit, search.CandidateCount);
        var useDense = search.Mode != SearchMode.KeywordOnly && indexer.EmbeddingsEnabled;
        // The query vector (~4 ms, the longest step) is computed meanwhile: the keyword ranking and both indexes'
        // catch-up with the database run while the model works.
        var queryVector = useDense ? Task.Run(() => indexer.Embeddings.EmbedAsync([query], ct), ct) : null;
        var keyword = search.Mode == SearchMode.DenseOnly && useDense
            ? []
            : await keywordIndex.SearchAsync(db, userId, terms, filter, candidates, ct);
        if (queryVector is null)
        {
            return keyword.Take(limit).ToList();
        }

        await vectorIndex.CatchUpAsync(db, userId, ct);

        float[] vector;
        try
        {
            vector = (await queryVector)[0];
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Degrade, never fail: the keyword ranking answers alone.
            return keyword.Take(limit).ToList();
        }

        var contextWeight = search.DenseNeighbourWindow > 0 ? (float)search.DenseContextWeight : 0f;
        var dense = vectorIndex.Search(userId, vector, filter.OccurredAfter, filter.OccurredBefore, candidates, contextWeight);
        var allowed = await keywordIndex.FilterAsync(db, userId, dense.Select(d => d.Id).ToList(), filter, ct);
        dense = dense.Where(d => allowed.Contains(d.Id)).ToList();
        // Keyword candidates the semantic top list missed still get their own cosine (a few dot products).
        var denseOfKeyword = search.ScoreKeywordCandidates ? vectorIndex.Score(userId, vector, keyword.Select(k => k.Id), contextWeight) : null;
        var fused = search.Mode == SearchMode.DenseOnly
            ? [.. dense]
            : HybridRanker.Fuse(keyword, dense, search.DenseWeight, search.DenseMinMax, denseOfKeyword);
        return fused.Take(limit).ToList();
    }

    /// <summary>
    /// The caller's live memories among <paramref name="ids"/>, tags included, looked up by primary key. The owner and
    /// state are checked here rather than in SQL, where SQLite would prefer walking the user's index (all of the user's
    /// memories) to a hundred key lookups. Tenancy holds: nothing else is returned. The id list is a parameter, not
    /// inlined (<c>EF.Constant</c>): inlined lists made every call a new query for EF to compile (~5 ms each).
    /// </summary>
    private static async Task<List<MemoryEntity>> ByIdsAsync(MemoryDbContext db, string userId, IReadOnlyList<string> ids, CancellationToken ct, bool tracking = false)
    {
        if (ids.Count == 0)
        {
            return [];
        }

        var query = db.Memories.Where(m => ids.Contains(m.Id)).Include(m => m.Tags);
        var found = tracking ? await query.ToListAsync(ct) : await query.AsNoTracking().ToListAsync(ct);
        return found.Where(m => m.UserId == userId && m.State != MemoryState.Deleted).ToList();
    }

    public async Task<MemoryPage> ListAsync(MemoryCaller caller, ListRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(request);
        var limit = MemoryInput.Limit(request.Limit);
        var cursor = ListCursor.Decode(request.Cursor);
        var filter = Filter(request.State, request.Tags, request.App, "tags", null, null);

        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var query = Visible(db, caller.UserId).Where(m => m.State == filter.State);
        if (filter.App is { } app)
        {
            query = query.Where(m => m.App == app);
        }

        foreach (var tag in filter.Tags)
        {
            query = query.Where(m => m.Tags.Any(t => t.Tag == tag));
        }

        if (cursor is { } after)
        {
            query = query.Where(m => m.CreatedAt < after.CreatedAt || (m.CreatedAt == after.CreatedAt && string.Compare(m.Id, after.Id) < 0));
        }

        var page = await query
            .OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id)
            .Take(limit + 1)
            .Include(m => m.Tags)
            .AsNoTracking()
            .ToListAsync(cancellationToken);

        var items = page.Take(limit).Select(ToRecord).ToList();
        var next = page.Count > limit ? new ListCursor(page[limit - 1].CreatedAt, page[limit - 1].Id).Encode() : null;

        LogAccess(db, caller, "list", items.Select(i => i.Id), Now());
        await db.SaveAccessLogAsync(cancellationToken);
        return new MemoryPage(items, next);
    }

    public async Task<MemoryRecord?> GetAsync(MemoryCaller caller, string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var entity = await Visible(db, caller.UserId).Include(m => m.Tags).AsNoTracking()
            .FirstOrDefaultAsync(m => m.Id == (id ?? ""), cancellationToken);

        LogAccess(db, caller, "get", entity is null ? [] : [entity.Id], Now());
        await db.SaveAccessLogAsync(cancellationToken);
        return entity is null ? null : ToRecord(entity);
    }

    public async Task<MemoryRecord> UpdateAsync(MemoryCaller caller, string id, string? text, MemoryState? state, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (text is null && state is null)
        {
            throw new MemoryValidationException(MemoryErrors.UpdateNothing());
        }

        var newText = text is null ? null : MemoryInput.Text(text, -1);
        if (state is { } s && !Enum.IsDefined(s))
        {
            throw new MemoryValidationException(MemoryErrors.InvalidState(s));
        }

        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var entity = await Visible(db, caller.UserId).Include(m => m.Tags).FirstOrDefaultAsync(m => m.Id == (id ?? ""), cancellationToken)
            ?? throw new MemoryValidationException(MemoryErrors.UnknownId(id ?? ""));

        var now = Now();
        var app = MemoryInput.App(caller.App);
        db.History.Add(new MemoryHistoryEntity
        {
            MemoryId = entity.Id,
            OldText = entity.Text,
            OldState = entity.State,
            NewText = newText ?? entity.Text,
            NewState = state ?? entity.State,
            App = app,
            At = now,
        });
        entity.Text = newText ?? entity.Text;
        entity.State = state ?? entity.State;
        entity.UpdatedAt = now;
        LogAccess(db, caller, "update", [entity.Id], now);
        keywordIndex.RecordChanges(db, caller.UserId, [entity.Id]);
        await db.SaveChangesAsync(cancellationToken);

        if (entity.State == MemoryState.Deleted)
        {
            await db.Embeddings.Where(e => e.MemoryId == entity.Id).ExecuteDeleteAsync(cancellationToken);
        }
        else if (newText is not null)
        {
            await ReembedAsync(db, [entity], cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        if (entity.State == MemoryState.Deleted)
        {
            vectorIndex.Forget(caller.UserId, [entity.Id]);
        }

        return ToRecord(entity);
    }

    public async Task<int> DeleteAsync(MemoryCaller caller, IReadOnlyList<string> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var wanted = MemoryInput.Ids(ids);

        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var entities = await ByIdsAsync(db, caller.UserId, wanted, cancellationToken, tracking: true);
        var missing = wanted.FirstOrDefault(id => entities.All(e => e.Id != id));
        if (missing is not null)
        {
            // All or nothing: the transaction is rolled back on dispose, nothing was written.
            throw new MemoryValidationException(MemoryErrors.UnknownId(missing));
        }

        var now = Now();
        SoftDelete(db, entities, MemoryInput.App(caller.App), now);
        LogAccess(db, caller, "delete", entities.Select(e => e.Id), now);
        keywordIndex.RecordChanges(db, caller.UserId, entities.Select(e => e.Id));
        await db.SaveChangesAsync(cancellationToken);
        var deleted = entities.Select(e => e.Id).ToList();
        await db.Embeddings.Where(e => deleted.Contains(e.MemoryId)).ExecuteDeleteAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        vectorIndex.Forget(caller.UserId, entities.Select(e => e.Id));
        return entities.Count;
    }

    public async Task<int> DeleteAllAsync(MemoryCaller caller, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var entities = await Visible(db, caller.UserId).ToListAsync(cancellationToken);
        var now = Now();
        SoftDelete(db, entities, MemoryInput.App(caller.App), now);
        // The access log keeps the count, not 100k ids.
        LogAccess(db, caller, "delete_all", [], now);
        await keywordIndex.RecordResetAsync(db, caller.UserId, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await db.Embeddings.Where(e => e.UserId == caller.UserId).ExecuteDeleteAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        vectorIndex.ForgetUser(caller.UserId);
        return entities.Count;
    }

    public async Task<int> CountAsync(string userId, CancellationToken cancellationToken = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        return await Visible(db, userId).CountAsync(cancellationToken);
    }

    private long Now() => time.GetUtcNow().UtcTicks;

    private static MemoryHistoryEntity History(MemoryEntity entity, string newText, MemoryState newState, string? app, long now) => new()
    {
        MemoryId = entity.Id,
        OldText = entity.Text,
        OldState = entity.State,
        NewText = newText,
        NewState = newState,
        App = app,
        At = now,
    };

    /// <summary>The entry point to memories (besides <see cref="ByIdsAsync"/>): the caller's, never deleted ones.</summary>
    private static IQueryable<MemoryEntity> Visible(MemoryDbContext db, string userId) =>
        db.Memories.Where(m => m.UserId == userId && m.State != MemoryState.Deleted);

    private static MemoryFilter Filter(MemoryState? state, IReadOnlyList<string>? tags, string? app, string tagArgument, DateTimeOffset? after, DateTimeOffset? before)
    {
        var readable = MemoryInput.ReadableState(state);
        var normalizedTags = MemoryInput.Tags(tags, tagArgument);
        if (after is { } a && before is { } b && a > b)
        {
            throw new MemoryValidationException(MemoryErrors.TimeRange(a, b));
        }

        return new MemoryFilter(readable, normalizedTags, after?.UtcTicks, before?.UtcTicks, MemoryInput.App(app));
    }

    private static async Task<Dictionary<string, MemoryRecord>> LoadAsync(MemoryDbContext db, string userId, List<string> ids, CancellationToken ct) =>
        (await ByIdsAsync(db, userId, ids, ct)).ToDictionary(e => e.Id, ToRecord, StringComparer.Ordinal);

    private static void SoftDelete(MemoryDbContext db, List<MemoryEntity> entities, string? app, long now)
    {
        foreach (var entity in entities)
        {
            db.History.Add(new MemoryHistoryEntity
            {
                MemoryId = entity.Id,
                OldText = entity.Text,
                OldState = entity.State,
                NewText = entity.Text,
                NewState = MemoryState.Deleted,
                App = app,
                At = now,
            });
            entity.State = MemoryState.Deleted;
            entity.UpdatedAt = now;
        }
    }

    private static void LogAccess(MemoryDbContext db, MemoryCaller caller, string action, IEnumerable<string> ids, long now) =>
        db.AccessLog.Add(new MemoryAccessLogEntity
        {
            UserId = caller.UserId,
            App = MemoryInput.App(caller.App),
            Action = action,
            MemoryIds = string.Join(' ', ids),
            At = now,
        });

    internal static MemoryRecord ToRecord(MemoryEntity e) => new(
        e.Id,
        e.Text,
        e.Tags.Select(t => t.Tag).Order(StringComparer.Ordinal).ToList(),
        e.State,
        e.App,
        new DateTimeOffset(e.OccurredAt, TimeSpan.Zero),
        new DateTimeOffset(e.CreatedAt, TimeSpan.Zero),
        new DateTimeOffset(e.UpdatedAt, TimeSpan.Zero));
}
