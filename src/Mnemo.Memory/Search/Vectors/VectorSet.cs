using System.Buffers;

namespace Mnemo.Memory.Search.Vectors;

/// <summary>
/// Brute-force cosine search over a set of memories' vectors: each memory has one vector per chunk of its text and
/// optionally a context vector (the text read with its neighbours), stored as int8 rows (<see cref="VectorRows"/>). A
/// pure structure — no database, no user id — that <see cref="SearchIndex"/> keeps one of per user and feeds from the
/// change feed. A replaced or removed memory leaves a tombstone until <see cref="CompactionPolicy"/> says to rebuild.
/// </summary>
/// <remarks>
/// Not thread-safe for writes: the caller serialises them against searches (searches may run side by side). Large sets
/// are scanned in parallel slices; above <see cref="ShortlistFrom"/> memories a slice is first ranked by sign agreement
/// with the query and only a shortlist is scored exactly (on LoCoMo's MiniLM vectors a 3 % shortlist kept 99.7 % of
/// the exact top 10).
/// </remarks>
internal sealed class VectorSet(int dimensions)
{
    private const int ParallelThreshold = 20_000;

    /// <summary>Below this many memories per slice the exact scan is as fast as a shortlist.</summary>
    private const int ShortlistFrom = 10_000;

    private readonly Dictionary<string, int> _byId = new(StringComparer.Ordinal);
    private readonly List<Entry> _entries = [];
    private VectorRows _rows = new(dimensions);
    private int _tombstones;

    public int Dimensions => dimensions;

    /// <summary>Live memories.</summary>
    public int Count => _byId.Count;

    public bool Contains(string id) => _byId.ContainsKey(id);

    /// <summary>
    /// Adds or replaces a memory's vectors: <paramref name="textVectors"/> one or more concatenated vectors of
    /// <see cref="Dimensions"/> (its chunks), <paramref name="contextVector"/> one or none.
    /// </summary>
    public void Upsert(string id, MemoryFacts facts, ReadOnlySpan<float> textVectors, ReadOnlySpan<float> contextVector)
    {
        Remove(id);
        var start = _rows.Count;
        _rows.Append(textVectors);
        _rows.Append(contextVector);
        _byId[id] = _entries.Count;
        _entries.Add(new Entry(id, facts, facts.State, facts.OccurredAt, start, textVectors.Length / dimensions, contextVector.Length > 0, Removed: false));
    }

    public bool Remove(string id)
    {
        if (!_byId.Remove(id, out var index))
        {
            return false;
        }

        _entries[index] = _entries[index] with { Removed = true };
        _tombstones++;
        if (CompactionPolicy.ShouldCompact(_tombstones, _entries.Count))
        {
            Compact();
        }

        return true;
    }

    /// <summary>
    /// Best first, at most <paramref name="k"/> memories passing <paramref name="filter"/>: per memory the better of its
    /// best text chunk and (weighted by <paramref name="contextWeight"/>) its context vector.
    /// </summary>
    public IReadOnlyList<ScoredId> Search(float[] query, MemoryFilter filter, int k, float contextWeight)
    {
        var slices = _entries.Count < ParallelThreshold ? 1 : Math.Min(Environment.ProcessorCount, 4);
        var partial = new (int Index, float Score)[slices][];
        var size = (_entries.Count + slices - 1) / slices;
        var q = VectorQuery.From(query);
        var entryFilter = new EntryFilter(filter);
        Parallel.For(0, slices, new ParallelOptions { MaxDegreeOfParallelism = slices }, slice =>
            partial[slice] = Scan(q, slice * size, Math.Min(_entries.Count, (slice + 1) * size), entryFilter, k, contextWeight));
        return partial
            .SelectMany(p => p)
            .OrderByDescending(p => p.Score)
            .Take(k)
            .Select(p => new ScoredId(_entries[p.Index].Id, p.Score))
            .ToList();
    }

    /// <summary>The semantic score of specific memories (e.g. keyword candidates), for a fair fusion; unknown ids are left out.</summary>
    public Dictionary<string, float> Score(float[] query, IEnumerable<string> ids, float contextWeight)
    {
        var scores = new Dictionary<string, float>(StringComparer.Ordinal);
        var q = VectorQuery.From(query);
        foreach (var id in ids)
        {
            if (_byId.TryGetValue(id, out var index))
            {
                scores[id] = EntryScore(_entries[index], q, contextWeight);
            }
        }

        return scores;
    }

    private float EntryScore(Entry entry, VectorQuery q, float contextWeight)
    {
        var score = _rows.Dot(entry.Start, q);
        for (var c = 1; c < entry.TextCount; c++)
        {
            score = Math.Max(score, _rows.Dot(entry.Start + c, q));
        }

        if (entry.HasContext && contextWeight > 0)
        {
            var context = _rows.Dot(entry.Start + entry.TextCount, q);
            score = (1 - contextWeight) * score + contextWeight * context;
        }

        return score;
    }

    private (int Index, float Score)[] Scan(VectorQuery q, int from, int to, EntryFilter filter, int k, float contextWeight)
    {
        var shortlist = to - from >= ShortlistFrom ? Shortlist(q, from, to, filter, Math.Max(k * 15, 1_000)) : null;
        var top = new PriorityQueue<int, float>(k + 1);
        var count = shortlist?.Count ?? to - from;
        for (var n = 0; n < count; n++)
        {
            var i = shortlist is null ? from + n : shortlist[n];
            var entry = _entries[i];
            if (!filter.Passes(entry))
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
    private List<int> Shortlist(VectorQuery q, int from, int to, EntryFilter filter, int size)
    {
        var distances = ArrayPool<int>.Shared.Rent(to - from);
        var histogram = new int[dimensions + 1];
        try
        {
            for (var i = from; i < to; i++)
            {
                var entry = _entries[i];
                if (!filter.Passes(entry))
                {
                    distances[i - from] = -1;
                    continue;
                }

                var nearest = dimensions;
                for (var c = 0; c < entry.TextCount; c++)
                {
                    nearest = Math.Min(nearest, _rows.SignDistance(entry.Start + c, q));
                }

                distances[i - from] = nearest;
                histogram[nearest]++;
            }

            // Every entry closer than the cut-off fits in the shortlist; entries at the cut-off fill what is left.
            var (cutoff, taken) = (0, 0);
            for (; cutoff <= dimensions && taken + histogram[cutoff] <= size; cutoff++)
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

    /// <summary>Copies the live entries' rows, in order, into fresh arrays (about half the old size to start).</summary>
    private void Compact()
    {
        var live = _entries.Where(e => !e.Removed).ToList();
        var rows = new VectorRows(dimensions, Math.Max(1024, _rows.Capacity / 2));
        _entries.Clear();
        _byId.Clear();
        foreach (var entry in live)
        {
            var start = rows.Count;
            rows.AppendFrom(_rows, entry.Start, entry.TextCount + (entry.HasContext ? 1 : 0));
            _byId[entry.Id] = _entries.Count;
            _entries.Add(entry with { Start = start });
        }

        _rows = rows;
        _tombstones = 0;
    }

    /// <summary>A memory's rows; its state and date are copied out of <see cref="Facts"/> because every scan reads them.</summary>
    private readonly record struct Entry(
        string Id, MemoryFacts Facts, MemoryState State, long OccurredAt, int Start, int TextCount, bool HasContext, bool Removed);

    /// <summary>
    /// The filter as a scan applies it to every entry: state and date from the entry itself (contiguous in the list),
    /// app and tags, which few searches set, from its facts (a pointer away, a cache miss per entry at 100k).
    /// </summary>
    private readonly struct EntryFilter(MemoryFilter filter)
    {
        private readonly long _after = filter.OccurredAfter ?? long.MinValue;
        private readonly long _before = filter.OccurredBefore ?? long.MaxValue;
        private readonly bool _readFacts = filter.App is not null || filter.Tags.Count > 0;

        public bool Passes(in Entry entry) =>
            !entry.Removed
            && entry.State == filter.State
            && entry.OccurredAt >= _after
            && entry.OccurredAt <= _before
            && (!_readFacts || filter.Matches(entry.Facts));
    }
}
