using System.Buffers;
using System.Collections.Concurrent;
using System.Numerics;
using Microsoft.EntityFrameworkCore;
using Mnemo.Memory.Search.Embeddings;
using Mnemo.Memory.Search.Vectors;
using Mnemo.Memory.Storage;

namespace Mnemo.Memory.Search;

/// <summary>
/// Brute-force SIMD cosine search over one user's vectors, held in memory as signed bytes (<see cref="Int8Vectors"/>:
/// a quarter of the memory and of the scan time of floats) and loaded from
/// <c>memory_embeddings</c> incrementally by sequence number, so writes from another process (CLI) show up too.
/// The database stays the source of truth: the caller re-checks every candidate against <c>memories</c>
/// (state, tags, app), which also hides memories deleted by another process.
/// </summary>
internal sealed class VectorIndex(IEmbeddingService embeddings, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, UserVectors> _users = new(StringComparer.Ordinal);

    /// <summary>Best first: per memory the better of its best text chunk and (weighted) its context vector.</summary>
    public async Task<IReadOnlyList<ScoredId>> SearchAsync(
        MemoryDbContext db, string userId, float[] query, long? occurredAfter, long? occurredBefore, int k, float contextWeight, CancellationToken ct)
    {
        await CatchUpAsync(db, userId, ct);
        return Search(userId, query, occurredAfter, occurredBefore, k, contextWeight);
    }

    /// <summary>Loads the user's vectors written since the last look (e.g. while the query vector is being computed).</summary>
    public Task CatchUpAsync(MemoryDbContext db, string userId, CancellationToken ct)
    {
        var user = _users.GetOrAdd(userId, _ => new UserVectors(embeddings.Dimensions));
        user.LastUsedTicks = time.GetUtcNow().UtcTicks;
        return RefreshAsync(db, userId, user, ct);
    }

    /// <summary>As <see cref="SearchAsync"/>, over what is loaded now (call <see cref="CatchUpAsync"/> first).</summary>
    public IReadOnlyList<ScoredId> Search(string userId, float[] query, long? occurredAfter, long? occurredBefore, int k, float contextWeight) =>
        _users.TryGetValue(userId, out var user) ? user.Search(query, occurredAfter, occurredBefore, k, contextWeight) : [];

    /// <summary>The semantic score of specific memories (e.g. keyword candidates), for a fair fusion; unknown ids are left out.</summary>
    public Dictionary<string, float> Score(string userId, float[] query, IEnumerable<string> ids, float contextWeight) =>
        _users.TryGetValue(userId, out var user) ? user.Score(query, ids, contextWeight) : [];

    /// <summary>Whether the user's vectors were ever loaded (tests of the start-up warm-up).</summary>
    internal bool IsLoaded(string userId) => _users.TryGetValue(userId, out var user) && user.LastSeq > 0;

    /// <summary>Drops memories this process deleted (other processes' deletes are filtered by the caller).</summary>
    public void Forget(string userId, IEnumerable<string> memoryIds)
    {
        if (_users.TryGetValue(userId, out var user))
        {
            user.Remove(memoryIds);
        }
    }

    public void ForgetUser(string userId) => _users.TryRemove(userId, out _);

    /// <summary>
    /// Frees the vectors of users who have not searched for <paramref name="idle"/>; their next search reloads them.
    /// A search already holding the user's vectors finishes on them: removal only unlinks them from the dictionary.
    /// </summary>
    public int EvictIdle(TimeSpan idle)
    {
        var cutoff = (time.GetUtcNow() - idle).UtcTicks;
        var evicted = 0;
        foreach (var (userId, user) in _users)
        {
            if (user.LastUsedTicks <= cutoff && _users.TryRemove(new KeyValuePair<string, UserVectors>(userId, user)))
            {
                evicted++;
            }
        }

        return evicted;
    }

    /// <summary>Forgets everything (after a re-index under a new model).</summary>
    public void Clear() => _users.Clear();

    private async Task RefreshAsync(MemoryDbContext db, string userId, UserVectors user, CancellationToken ct)
    {
        var model = embeddings.ModelId;
        var last = user.LastSeq;
        var rows = await db.Embeddings
            .Where(e => e.UserId == userId && e.Seq > last && e.Model == model)
            .Join(db.Memories, e => e.MemoryId, m => m.Id, (e, m) => new { e.Seq, e.MemoryId, m.OccurredAt, m.State, e.TextVectors, e.ContextVector })
            .Where(r => r.State != MemoryState.Deleted)
            .OrderBy(r => r.Seq)
            .AsNoTracking()
            .ToListAsync(ct);
        if (rows.Count > 0)
        {
            user.Upsert(rows.Select(r => (r.Seq, r.MemoryId, r.OccurredAt, r.TextVectors, r.ContextVector)));
        }
    }

    private sealed class UserVectors(int dims)
    {
        private const int ParallelThreshold = 20_000;

        private readonly Lock _gate = new();
        private readonly Dictionary<string, int> _byId = new(StringComparer.Ordinal);
        private readonly List<Entry> _entries = [];
        /// <summary>Large slices are first ranked by the signs of the vectors (Hamming distance over bits: an eighth of the
        /// int8 bytes to read), and only a shortlist is scored exactly. Below this size the exact scan is as fast.</summary>
        private const int ShortlistFrom = 10_000;

        private readonly int _words = (dims + 63) / 64;
        private sbyte[] _codes = new sbyte[dims * 1024];
        private float[] _scales = new float[1024];
        private ulong[] _signs = new ulong[(dims + 63) / 64 * 1024];
        private int _vectorCount;
        private int _removed;
        private long _lastSeq;

        private long _lastUsedTicks;

        /// <summary>UTC ticks of the last search; a long so that readers on other threads never see half a value.</summary>
        public long LastUsedTicks
        {
            get => Volatile.Read(ref _lastUsedTicks);
            set => Volatile.Write(ref _lastUsedTicks, value);
        }

        public long LastSeq
        {
            get { lock (_gate) { return _lastSeq; } }
        }

        public void Upsert(IEnumerable<(long Seq, string Id, long OccurredAt, byte[] Text, byte[]? Context)> rows)
        {
            lock (_gate)
            {
                foreach (var (seq, id, occurredAt, text, context) in rows)
                {
                    if (_byId.TryGetValue(id, out var old))
                    {
                        _entries[old] = _entries[old] with { Removed = true };
                        _removed++;
                    }

                    var textVectors = VectorCodec.Decode(text);
                    var contextVector = context is null ? ReadOnlySpan<float>.Empty : VectorCodec.Decode(context);
                    var start = _vectorCount;
                    Append(textVectors);
                    Append(contextVector);
                    _byId[id] = _entries.Count;
                    _entries.Add(new Entry(id, occurredAt, start, textVectors.Length / dims, contextVector.Length > 0, false));
                    _lastSeq = Math.Max(_lastSeq, seq);
                }

                if (_removed > 1024 && _removed > _entries.Count / 4)
                {
                    Compact();
                }
            }
        }

        public void Remove(IEnumerable<string> ids)
        {
            lock (_gate)
            {
                foreach (var id in ids)
                {
                    if (_byId.Remove(id, out var index))
                    {
                        _entries[index] = _entries[index] with { Removed = true };
                        _removed++;
                    }
                }
            }
        }

        public IReadOnlyList<ScoredId> Search(float[] query, long? after, long? before, int k, float contextWeight)
        {
            lock (_gate)
            {
                // Large sets are scanned in parallel slices (one per core), each keeping its own top k.
                var slices = _entries.Count < ParallelThreshold ? 1 : Math.Min(Environment.ProcessorCount, 4);
                var partial = new (int Index, float Score)[slices][];
                var size = (_entries.Count + slices - 1) / slices;
                var q = Query.From(query);
                Parallel.For(0, slices, new ParallelOptions { MaxDegreeOfParallelism = slices }, slice =>
                    partial[slice] = Scan(q, slice * size, Math.Min(_entries.Count, (slice + 1) * size), after ?? long.MinValue, before ?? long.MaxValue, k, contextWeight));
                return partial
                    .SelectMany(p => p)
                    .OrderByDescending(p => p.Score)
                    .Take(k)
                    .Select(p => new ScoredId(_entries[p.Index].Id, p.Score))
                    .ToList();
            }
        }

        public Dictionary<string, float> Score(float[] query, IEnumerable<string> ids, float contextWeight)
        {
            lock (_gate)
            {
                var scores = new Dictionary<string, float>(StringComparer.Ordinal);
                var q = Query.From(query);
                foreach (var id in ids)
                {
                    if (_byId.TryGetValue(id, out var index) && !_entries[index].Removed)
                    {
                        scores[id] = EntryScore(_entries[index], q, contextWeight);
                    }
                }

                return scores;
            }
        }

        private float Row(int row, Query q) =>
            _scales[row] * q.Scale * Int8Vectors.Dot(_codes.AsSpan(row * dims, dims), q.Codes);

        private float EntryScore(Entry entry, Query q, float contextWeight)
        {
            var score = Row(entry.Start, q);
            for (var c = 1; c < entry.TextCount; c++)
            {
                score = Math.Max(score, Row(entry.Start + c, q));
            }

            if (entry.HasContext && contextWeight > 0)
            {
                var context = Row(entry.Start + entry.TextCount, q);
                score = (1 - contextWeight) * score + contextWeight * context;
            }

            return score;
        }

        private (int Index, float Score)[] Scan(Query q, int from, int to, long after, long before, int k, float contextWeight)
        {
            var shortlist = to - from >= ShortlistFrom ? Shortlist(q, from, to, after, before, Math.Max(k * 15, 1_000)) : null;
            var top = new PriorityQueue<int, float>(k + 1);
            var count = shortlist?.Count ?? to - from;
            for (var n = 0; n < count; n++)
            {
                var i = shortlist is null ? from + n : shortlist[n];
                var entry = _entries[i];
                if (entry.Removed || entry.OccurredAt < after || entry.OccurredAt > before)
                {
                    continue;
                }

                var score = EntryScore(entry, q, contextWeight);

                if (top.Count < k)
                {
                    top.Enqueue(i, score);
                }
                else if (top.TryPeek(out _, out var worst) && score > worst)
                {
                    top.DequeueEnqueue(i, score);
                }
            }

            var result = new (int, float)[top.Count];
            for (var n = 0; n < result.Length; n++)
            {
                top.TryDequeue(out var index, out var score);
                result[n] = (index, score);
            }

            return result;
        }

        /// <summary>
        /// The (about) <paramref name="size"/> entries whose text vectors agree in sign with the query on most dimensions.
        /// Distances are bucketed (there are only dims + 1 of them), so the cut-off is found without sorting or a heap.
        /// </summary>
        private List<int> Shortlist(Query q, int from, int to, long after, long before, int size)
        {
            var query = q.Signs.AsSpan();
            var distances = ArrayPool<int>.Shared.Rent(to - from);
            var histogram = new int[dims + 1];
            try
            {
                for (var i = from; i < to; i++)
                {
                    var entry = _entries[i];
                    if (entry.Removed || entry.OccurredAt < after || entry.OccurredAt > before)
                    {
                        distances[i - from] = -1;
                        continue;
                    }

                    var nearest = dims;
                    for (var c = 0; c < entry.TextCount; c++)
                    {
                        var row = _signs.AsSpan((entry.Start + c) * _words, _words);
                        var differing = 0;
                        for (var w = 0; w < row.Length; w++)
                        {
                            differing += BitOperations.PopCount(row[w] ^ query[w]);
                        }

                        nearest = Math.Min(nearest, differing);
                    }

                    distances[i - from] = nearest;
                    histogram[nearest]++;
                }

                // Every entry closer than the cut-off fits in the shortlist; entries at the cut-off fill what is left.
                var (cutoff, taken) = (0, 0);
                for (; cutoff <= dims && taken + histogram[cutoff] <= size; cutoff++)
                {
                    taken += histogram[cutoff];
                }

                var shortlist = new List<int>(size);
                var atCutoff = size - taken;
                for (var i = from; i < to; i++)
                {
                    var distance = distances[i - from];
                    if (distance >= 0 && (distance < cutoff || (distance == cutoff && atCutoff-- > 0)))
                    {
                        shortlist.Add(i);
                    }
                }

                return shortlist;
            }
            finally
            {
                ArrayPool<int>.Shared.Return(distances);
            }
        }

        private void SetSigns(int row) => Int8Vectors.Signs(_codes.AsSpan(row * dims, dims), _signs.AsSpan(row * _words, _words));

        private void Append(ReadOnlySpan<float> values)
        {
            if (values.IsEmpty)
            {
                return;
            }

            var rows = values.Length / dims;
            EnsureCapacity(rows);

            for (var r = 0; r < rows; r++)
            {
                _scales[_vectorCount] = Int8Vectors.Quantize(values.Slice(r * dims, dims), _codes.AsSpan(_vectorCount * dims, dims));
                SetSigns(_vectorCount);
                _vectorCount++;
            }
        }

        private void EnsureCapacity(int rows)
        {
            if ((_vectorCount + rows) * dims > _codes.Length)
            {
                var capacity = Math.Max(_vectorCount + rows, _scales.Length * 2);
                Array.Resize(ref _codes, capacity * dims);
                Array.Resize(ref _scales, capacity);
                Array.Resize(ref _signs, capacity * _words);
            }
        }

        private void AppendCoded(ReadOnlySpan<sbyte> codes, ReadOnlySpan<float> scales)
        {
            var rows = scales.Length;
            EnsureCapacity(rows);

            codes.CopyTo(_codes.AsSpan(_vectorCount * dims));
            scales.CopyTo(_scales.AsSpan(_vectorCount));
            for (var r = 0; r < rows; r++)
            {
                SetSigns(_vectorCount + r);
            }

            _vectorCount += rows;
        }

        private void Compact()
        {
            var live = _entries.Where(e => !e.Removed).ToList();
            var (oldCodes, oldScales) = (_codes, _scales);
            _codes = new sbyte[Math.Max(dims * 1024, oldCodes.Length / 2)];
            _scales = new float[Math.Max(1024, oldScales.Length / 2)];
            _signs = new ulong[_scales.Length * _words];
            _vectorCount = 0;
            _entries.Clear();
            _byId.Clear();
            foreach (var entry in live)
            {
                var count = entry.TextCount + (entry.HasContext ? 1 : 0);
                var start = _vectorCount;
                AppendCoded(oldCodes.AsSpan(entry.Start * dims, count * dims), oldScales.AsSpan(entry.Start, count));
                _byId[entry.Id] = _entries.Count;
                _entries.Add(entry with { Start = start });
            }

            _removed = 0;
        }

        /// <summary>A query vector, quantised once per search.</summary>
        private sealed class Query(sbyte[] codes, float scale, ulong[] signs)
        {
            public sbyte[] Codes { get; } = codes;
            public float Scale { get; } = scale;
            public ulong[] Signs { get; } = signs;

            public static Query From(float[] vector)
            {
                var codes = new sbyte[vector.Length];
                var scale = Int8Vectors.Quantize(vector, codes);
                var signs = new ulong[(vector.Length + 63) / 64];
                Int8Vectors.Signs(codes, signs);

                return new Query(codes, scale, signs);
            }
        }

        private readonly record struct Entry(string Id, long OccurredAt, int Start, int TextCount, bool HasContext, bool Removed);
    }
}
