using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Mnemo.Memory.Search;
using Mnemo.Memory.Storage;

namespace Mnemo.Memory.Memories;

/// <summary>
/// The memory service on EF Core: validation and writes. Rules: every input is validated before anything is written;
/// writes are one transaction (memories, tags, history, access log, and through <see cref="SearchIndex"/> the vectors
/// and change feed rows that keep every process's search indexes in step) committed before the method returns; every
/// query is filtered by the caller's user id, so another user's memory is indistinguishable from a missing one.
/// Reads write nothing themselves: their access-log row is queued to <see cref="AccessLogWriter"/>, which commits rows in
/// batches shortly after (a write's row stays inside the write's transaction).
/// </summary>
internal sealed class MemoryService(
    IDbContextFactory<MemoryDbContext> contextFactory,
    SearchIndex search,
    AccessLogWriter accessLog,
    IOptions<MemoryOptions> options,
    TimeProvider time) : IMemoryService
{
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
        var vectors = await search.ComputeVectorsAsync(entities, cancellationToken);

        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await MemoryWriteTransaction.BeginAsync(db, caller.UserId, cancellationToken);
        var outcomes = await Deduplicator.ResolveAsync(db, search, entities, vectors, options.Value.DeduplicationThreshold, cancellationToken);
        var added = new List<MemoryEntity>();
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
                added.Add(entities[i]);
                db.Memories.Add(entities[i]);
            }
        }

        var results = entities.Select((e, i) => outcomes[i] is { } d ? new AddOutcome(d.Id, "updated") : new AddOutcome(e.Id, "added")).ToList();
        db.AccessLog.Add(AccessEntry(caller, "add", results.Select(r => r.Id).Distinct(), now));
        // A refreshed memory keeps its place (and neighbours) in the add call that first wrote it.
        var refreshed = outcomes.Where(o => o?.Existing is not null).Select(o => o!.Existing!).DistinctBy(e => e.Id).ToList();
        await search.RecordAddedAsync(db, added, vectors, refreshed, cancellationToken);

        // Committed before the acknowledgement: an id the caller receives survives a crash.
        await transaction.CommitAsync(cancellationToken);
        return results;
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

        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var ranked = await search.RankAsync(db, caller.UserId, query, filter, limit, cancellationToken);
        var records = await LoadAsync(db, caller.UserId, ranked.Select(r => r.Id).ToList(), cancellationToken);
        var hits = ranked
            .Where(r => records.ContainsKey(r.Id))
            .Select(r => new SearchHit(records[r.Id], r.Score))
            .ToList();

        await accessLog.EnqueueAsync(AccessEntry(caller, "search", hits.Select(h => h.Memory.Id), Now()), cancellationToken);
        return hits;
    }

    /// <summary>
    /// The caller's live memories among <paramref name="ids"/>, tags included, looked up by primary key. The owner and
    /// state are checked here rather than in SQL, where SQLite would prefer walking the user's index (all of the user's
    /// memories) to a hundred key lookups. Tenancy holds: nothing else is returned. The id list is a parameter, not
    /// inlined (<c>EF.Constant</c>): inlined lists made every call a new query for EF to compile (~5 ms each).
    /// </summary>
    private static async Task<List<MemoryEntity>> ByIdsAsync(MemoryDbContext db, string userId, IReadOnlyList<string> ids, CancellationToken ct, bool tracking = false)
    {
        // An id of no memory's shape is left out before the query (see MemoryInput.IsWellFormedId): it is unknown.
        ids = ids.Where(MemoryInput.IsWellFormedId).ToList();
        if (ids.Count == 0)
        {
            return [];
        }

        var found = tracking
            ? await db.Memories.Where(m => ids.Contains(m.Id)).Include(m => m.Tags).ToListAsync(ct)
            : await ByIdsUntracked.For(db)(db, ids).ToListAsync(ct);
        return found.Where(m => m.UserId == userId && m.State != MemoryState.Deleted).ToList();
    }

    /// <summary>What every search loads (its ranked ids), compiled once: EF skips walking and looking up the expression tree per call.</summary>
    private static readonly PerModelQuery<Func<MemoryDbContext, IReadOnlyList<string>, IAsyncEnumerable<MemoryEntity>>> ByIdsUntracked = new(() =>
        EF.CompileAsyncQuery((MemoryDbContext db, IReadOnlyList<string> ids) =>
            db.Memories.Where(m => ids.Contains(m.Id)).Include(m => m.Tags).AsNoTracking()));

    public async Task<MemoryPage> ListAsync(MemoryCaller caller, ListRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(request);
        var limit = MemoryInput.Limit(request.Limit);
        var cursor = ListCursor.Decode(request.Cursor);
        var filter = Filter(request.State, request.Tags, request.App, "tags", null, null);

        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var page = filter.App is null && filter.Tags.Count == 0 && cursor is null
            ? await FirstPage.For(db)(db, caller.UserId, filter.State, limit + 1).ToListAsync(cancellationToken)
            : await PageAsync(db, caller.UserId, filter, cursor, limit + 1, cancellationToken);

        var items = page.Take(limit).Select(ToRecord).ToList();
        var next = page.Count > limit ? new ListCursor(page[limit - 1].CreatedAt, page[limit - 1].Id).Encode() : null;

        await accessLog.EnqueueAsync(AccessEntry(caller, "list", items.Select(i => i.Id), Now()), cancellationToken);
        return new MemoryPage(items, next);
    }

    /// <summary>
    /// The first page without filters — nearly every <c>list_memories</c> an assistant makes — as a compiled query: EF
    /// skips walking, parameterising and looking up the expression tree on every call. Same rows as <see cref="PageAsync"/>.
    /// </summary>
    private static readonly PerModelQuery<Func<MemoryDbContext, string, MemoryState, int, IAsyncEnumerable<MemoryEntity>>> FirstPage = new(() =>
        EF.CompileAsyncQuery((MemoryDbContext db, string userId, MemoryState state, int take) =>
            db.Memories.Where(m => m.UserId == userId && m.State != MemoryState.Deleted && m.State == state)
                .OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id)
                .Take(take)
                .Include(m => m.Tags)
                .AsNoTracking()));

    private static async Task<List<MemoryEntity>> PageAsync(MemoryDbContext db, string userId, MemoryFilter filter, ListCursor? cursor, int take, CancellationToken cancellationToken)
    {
        var query = Visible(db, userId).Where(m => m.State == filter.State);
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

        return await query
            .OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id)
            .Take(take)
            .Include(m => m.Tags)
            .AsNoTracking()
            .ToListAsync(cancellationToken);
    }

    public async Task<MemoryRecord?> GetAsync(MemoryCaller caller, string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var entity = MemoryInput.IsWellFormedId(id)
            ? await Visible(db, caller.UserId).Include(m => m.Tags).AsNoTracking().FirstOrDefaultAsync(m => m.Id == id, cancellationToken)
            : null;

        await accessLog.EnqueueAsync(AccessEntry(caller, "get", entity is null ? [] : [entity.Id], Now()), cancellationToken);
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

        if (!MemoryInput.IsWellFormedId(id))
        {
            throw new MemoryValidationException(MemoryErrors.UnknownId(id ?? ""));
        }

        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await MemoryWriteTransaction.BeginAsync(db, caller.UserId, cancellationToken);
        var entity = await Visible(db, caller.UserId).Include(m => m.Tags).FirstOrDefaultAsync(m => m.Id == id, cancellationToken)
            ?? throw new MemoryValidationException(MemoryErrors.UnknownId(id));

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
        db.AccessLog.Add(AccessEntry(caller, "update", [entity.Id], now));
        await search.RecordChangedAsync(db, [entity], textChanged: newText is not null, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return ToRecord(entity);
    }

    public async Task<int> DeleteAsync(MemoryCaller caller, IReadOnlyList<string> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var wanted = MemoryInput.Ids(ids);

        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await MemoryWriteTransaction.BeginAsync(db, caller.UserId, cancellationToken);
        var entities = await ByIdsAsync(db, caller.UserId, wanted, cancellationToken, tracking: true);
        var missing = wanted.FirstOrDefault(id => entities.All(e => e.Id != id));
        if (missing is not null)
        {
            // All or nothing: the transaction is rolled back on dispose, nothing was written.
            throw new MemoryValidationException(MemoryErrors.UnknownId(missing));
        }

        var now = Now();
        SoftDelete(db, entities, MemoryInput.App(caller.App), now);
        db.AccessLog.Add(AccessEntry(caller, "delete", entities.Select(e => e.Id), now));
        await search.RecordChangedAsync(db, entities, textChanged: false, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return entities.Count;
    }

    public async Task<int> DeleteAllAsync(MemoryCaller caller, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await MemoryWriteTransaction.BeginAsync(db, caller.UserId, cancellationToken);
        var entities = await Visible(db, caller.UserId).ToListAsync(cancellationToken);
        var now = Now();
        SoftDelete(db, entities, MemoryInput.App(caller.App), now);
        // The access log keeps the count, not 100k ids.
        db.AccessLog.Add(AccessEntry(caller, "delete_all", [], now));
        await search.RecordResetAsync(db, caller.UserId, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return entities.Count;
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

    /// <summary>
    /// An access-log row, stamped with the time of the operation (a read's row is written later, but says when it read).
    /// Writes add it to their own transaction, so it commits with what it records; reads queue it.
    /// </summary>
    private static MemoryAccessLogEntity AccessEntry(MemoryCaller caller, string action, IEnumerable<string> ids, long now) =>
        new()
        {
            UserId = caller.UserId,
            App = MemoryInput.App(caller.App),
            Action = action,
            MemoryIds = string.Join(' ', ids),
            At = now,
        };

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
