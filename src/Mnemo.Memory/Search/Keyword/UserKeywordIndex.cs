using System.Globalization;

namespace Mnemo.Memory.Search.Keyword;

/// <summary>A memory as the keyword index holds it (deleted memories are never added).</summary>
internal sealed record KeywordDocument(
    string Id, MemoryState State, string? App, long OccurredAt, string BatchId, int BatchIndex, IReadOnlyList<string> Tags, string Text);

/// <summary>How neighbours and dates take part in keyword ranking (from <see cref="MemorySearchOptions"/>).</summary>
internal sealed record KeywordRanking(int NeighbourWindow, float ContextWeight, bool Dates);

/// <summary>
/// One user's BM25 index, in memory. A memory's document is its own words plus, as a lower-weighted context field,
/// the words of its neighbours (the memories written before and after it in the same add call) and the day it
/// happened ("8 May 2023"). Only the memory's own words are stored; the context is added while scoring, through the
/// neighbour links, so editing or deleting a memory changes its neighbours' documents at once.
/// </summary>
/// <remarks>
/// Scoring follows SQLite FTS5's <c>bm25()</c> with column weights (the ranking measured on LoCoMo): per query stem,
/// f = own count + weight × context count, score += idf × f(k1+1) / (f + k1(1 − b + b·len/avglen)), and
/// idf = ln((N + background − n + 0.5)/(n + 0.5)), at least 1e-6. Statistics are this user's alone: another user's
/// memories never change a score (they would otherwise leak through it). Scoring walks every posting of the query's stems
/// (term-at-a-time into dense arrays): ~1 ms per 100k postings, with no pruning that could change a result.
/// Not thread-safe: <see cref="KeywordIndex"/> serialises access per user.
/// </remarks>
internal sealed class UserKeywordIndex(KeywordRanking ranking)
{
    private const double K1 = 1.2;
    private const double B = 0.75;

    /// <summary>
    /// IDF is computed as if the user's memories sat in a background collection this much larger whose documents lack
    /// the term. In a small personal store a word found in nearly every memory (the user's own name, a speaker's name)
    /// still tells which memories are about whom; by the user's counts alone its weight would drop to nothing. On
    /// LoCoMo any value from 1,000 to 10,000 gives the same recall (+1 point R@10 over none); 5,000 has the best MRR.
    /// </summary>
    private const double BackgroundDocuments = 5_000;

    private readonly Dictionary<string, int> _termIds = new(StringComparer.Ordinal);
    private readonly List<Postings> _postings = [];
    private readonly List<Slot> _slots = [];
    private readonly Dictionary<string, int> _slotById = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<int>> _batches = new(StringComparer.Ordinal);
    private readonly HashSet<string> _dirtyBatches = new(StringComparer.Ordinal);
    private bool _lengthsDirty;
    private double _averageLength;
    private int _removed;

    // What scoring reads per slot, in flat arrays (a pointer chase per posting costs more than the arithmetic):
    // whether the slot is live, its neighbour links (2 × window per slot, -1 = none) and its BM25 document length.
    private readonly int _stride = 2 * ranking.NeighbourWindow;
    private bool[] _isLive = [];
    private int[] _links = [];
    private float[] _lengths = [];

    // Scratch space for scoring, indexed by slot; a mark tells whether a slot's value belongs to the current pass.
    private float[] _frequency = [];
    private double[] _score = [];
    private int[] _termMark = [];
    private int[] _scoreMark = [];
    private int _mark;
    private readonly List<int> _touched = [];
    private readonly List<int> _scored = [];

    public int Count => _slotById.Count;

    public void Upsert(KeywordDocument document)
    {
        Remove(document.Id);
        var (stems, length) = KeywordTokenizer.Tokenize(document.Text);
        var counts = new Dictionary<int, int>();
        foreach (var stem in stems)
        {
            var term = TermId(stem);
            counts[term] = counts.GetValueOrDefault(term) + 1;
        }

        var dateTerms = Array.Empty<int>();
        var dateLength = 0;
        if (ranking.Dates)
        {
            var (dateStems, dateWords) = KeywordTokenizer.Tokenize(
                new DateTime(document.OccurredAt, DateTimeKind.Utc).ToString("d MMMM yyyy", CultureInfo.InvariantCulture));
            dateTerms = [.. dateStems.Select(TermId).Distinct()];
            dateLength = dateWords;
        }

        var slot = new Slot(
            document.Id, document.State, document.App, document.OccurredAt, document.BatchId, document.BatchIndex,
            [.. document.Tags], [.. counts.OrderBy(c => c.Key).Select(c => new TermCount(c.Key, c.Value))], dateTerms, length, dateLength);
        AddSlot(slot);
    }

    public bool Remove(string id)
    {
        if (!_slotById.Remove(id, out var index))
        {
            return false;
        }

        // A tombstone: postings keep pointing at the slot until the next compaction and skip it meanwhile.
        var slot = _slots[index];
        _isLive[index] = false;
        _removed++;
        if (_batches.TryGetValue(slot.BatchId, out var members))
        {
            members.Remove(index);
            if (members.Count == 0)
            {
                _batches.Remove(slot.BatchId);
            }
            else
            {
                _dirtyBatches.Add(slot.BatchId);
            }
        }

        _lengthsDirty = true;
        if (_removed > 1024 && _removed > _slots.Count / 4)
        {
            Compact();
        }

        return true;
    }

    /// <summary>Best first, at most <paramref name="limit"/>, among memories that pass <paramref name="filter"/>.</summary>
    public List<ScoredId> Search(IReadOnlyList<string> stems, MemoryFilter filter, int limit)
    {
        Prepare();
        if (Count == 0 || limit <= 0)
        {
            return [];
        }

        var best = new PriorityQueue<int, double>(limit + 1);

        var scoreMark = NextMark();
        var scored = _scored;
        scored.Clear();
        foreach (var stem in stems)
        {
            if (!_termIds.TryGetValue(stem, out var term))
            {
                continue;
            }

            var termMark = NextMark();
            _touched.Clear();
            var postings = _postings[term];
            var slots = postings.Slots;
            var counts = postings.Counts;
            var weight = ranking.ContextWeight;
            for (var i = 0; i < postings.Count; i++)
            {
                var index = slots[i];
                if (!_isLive[index])
                {
                    continue;
                }

                float count = counts[i];
                Add(index, count, termMark);
                for (int link = index * _stride, end = link + _stride; link < end && _links[link] >= 0; link++)
                {
                    Add(_links[link], weight * count, termMark);
                }
            }

            foreach (var index in postings.DateSlots)
            {
                if (_isLive[index])
                {
                    Add(index, weight, termMark);
                }
            }

            // Every memory the term reaches counts as a hit, as in FTS5 (which matched the context column too).
            var hits = _touched.Count;
            var idf = Math.Log((Count + BackgroundDocuments - hits + 0.5) / (hits + 0.5));
            idf = idf <= 0 ? 1e-6 : idf;
            var lengthNorm = B / _averageLength;
            foreach (var index in _touched)
            {
                double f = _frequency[index];
                if (f <= 0)
                {
                    continue;
                }

                var score = idf * (f * (K1 + 1)) / (f + (K1 * (1 - B + (lengthNorm * _lengths[index]))));
                if (_scoreMark[index] != scoreMark)
                {
                    _scoreMark[index] = scoreMark;
                    _score[index] = 0;
                    scored.Add(index);
                }

                _score[index] += score;
            }
        }

        var worst = double.NegativeInfinity;
        foreach (var index in scored)
        {
            // The score is compared first: most memories lose to the current top list without their filters read.
            var score = _score[index];
            if ((best.Count == limit && score <= worst) || !Passes(_slots[index], filter))
            {
                continue;
            }

            if (best.Count < limit)
            {
                best.Enqueue(index, score);
            }
            else
            {
                best.DequeueEnqueue(index, score);
            }

            if (best.Count == limit)
            {
                best.TryPeek(out _, out worst);
            }
        }

        var result = new List<ScoredId>(best.Count);
        while (best.TryDequeue(out var index, out var score))
        {
            result.Add(new ScoredId(_slots[index].Id, score));
        }

        result.Reverse();
        return result;
    }

    /// <summary>Those of <paramref name="ids"/> that are this user's live memories and pass <paramref name="filter"/>.</summary>
    public HashSet<string> Filter(IEnumerable<string> ids, MemoryFilter filter)
    {
        var passing = new HashSet<string>(StringComparer.Ordinal);
        foreach (var id in ids)
        {
            if (_slotById.TryGetValue(id, out var index) && Passes(_slots[index], filter))
            {
                passing.Add(id);
            }
        }

        return passing;
    }

    /// <summary>Active memories whose own words include every stem, newest first (near-duplicate candidates).</summary>
    public List<string> ContainingAll(IReadOnlyList<string> stems, int limit)
    {
        var terms = new List<int>(stems.Count);
        foreach (var stem in stems)
        {
            if (!_termIds.TryGetValue(stem, out var term))
            {
                return [];
            }

            terms.Add(term);
        }

        if (terms.Count == 0)
        {
            return [];
        }

        // Walk the rarest term's postings, newest slot first, and check the other terms in each candidate.
        var rarest = terms.MinBy(t => _postings[t].Count);
        var postings = _postings[rarest];
        var found = new List<string>();
        for (var i = postings.Count - 1; i >= 0 && found.Count < limit; i--)
        {
            var slot = _slots[postings.Slots[i]];
            if (_isLive[postings.Slots[i]] && slot.State == MemoryState.Active && terms.All(slot.Has))
            {
                found.Add(slot.Id);
            }
        }

        return found;
    }

    private int TermId(string stem)
    {
        if (!_termIds.TryGetValue(stem, out var term))
        {
            term = _postings.Count;
            _termIds[stem] = term;
            _postings.Add(new Postings());
        }

        return term;
    }

    private void AddPostings(int index, Slot slot)
    {
        foreach (var (term, count) in slot.Terms)
        {
            _postings[term].Add(index, count);
        }

        foreach (var term in slot.DateTerms)
        {
            _postings[term].DateSlots.Add(index);
        }
    }

    private void Add(int index, float frequency, int termMark)
    {
        if (_termMark[index] != termMark)
        {
            _termMark[index] = termMark;
            _frequency[index] = frequency;
            _touched.Add(index);
        }
        else
        {
            _frequency[index] += frequency;
        }
    }

    /// <summary>Appends a slot with its postings and add-call membership; links and lengths follow in <see cref="Prepare"/>.</summary>
    private void AddSlot(Slot slot)
    {
        var index = _slots.Count;
        _slots.Add(slot);
        _slotById[slot.Id] = index;
        if (_isLive.Length <= index)
        {
            var size = Math.Max(1024, _isLive.Length * 2);
            Array.Resize(ref _isLive, size);
            Array.Resize(ref _lengths, size);
            Array.Resize(ref _frequency, size);
            Array.Resize(ref _score, size);
            Array.Resize(ref _termMark, size);
            Array.Resize(ref _scoreMark, size);
            var links = _links.Length;
            Array.Resize(ref _links, size * _stride);
            Array.Fill(_links, -1, links, _links.Length - links);
        }

        _isLive[index] = true;
        Array.Fill(_links, -1, index * _stride, _stride);
        AddPostings(index, slot);
        if (!_batches.TryGetValue(slot.BatchId, out var members))
        {
            _batches[slot.BatchId] = members = [];
        }

        members.Add(index);
        _dirtyBatches.Add(slot.BatchId);
        _lengthsDirty = true;
    }

    private int NextMark()
    {
        if (_mark == int.MaxValue)
        {
            Array.Clear(_termMark);
            Array.Clear(_scoreMark);
            _mark = 0;
        }

        return ++_mark;
    }

    private static bool Passes(Slot slot, MemoryFilter filter) =>
        slot.State == filter.State
        && (filter.App is null || string.Equals(slot.App, filter.App, StringComparison.Ordinal))
        && (filter.OccurredAfter is not { } after || slot.OccurredAt >= after)
        && (filter.OccurredBefore is not { } before || slot.OccurredAt <= before)
        && filter.Tags.All(tag => slot.Tags.Contains(tag, StringComparer.Ordinal));

    /// <summary>Brings neighbour links, document lengths and scratch space up to date after writes.</summary>
    private void Prepare()
    {
        foreach (var batch in _dirtyBatches)
        {
            if (_batches.TryGetValue(batch, out var members))
            {
                LinkNeighbours(members);
            }
        }

        _dirtyBatches.Clear();
        if (_lengthsDirty)
        {
            double total = 0;
            foreach (var index in _slotById.Values)
            {
                var slot = _slots[index];
                var length = slot.TextLength + slot.DateLength;
                for (int link = index * _stride, end = link + _stride; link < end && _links[link] >= 0; link++)
                {
                    length += _slots[_links[link]].TextLength;
                }

                _lengths[index] = length;
                total += length;
            }

            _averageLength = Count == 0 ? 1 : Math.Max(1, total / Count);
            _lengthsDirty = false;
        }
    }

    /// <summary>Each live member of an add call sees the live members up to <c>NeighbourWindow</c> positions either side.</summary>
    private void LinkNeighbours(List<int> members)
    {
        members.Sort((a, b) => _slots[a].BatchIndex.CompareTo(_slots[b].BatchIndex));
        var window = ranking.NeighbourWindow;
        for (var position = 0; position < members.Count; position++)
        {
            var link = members[position] * _stride;
            Array.Fill(_links, -1, link, _stride);
            for (var other = Math.Max(0, position - window); other <= Math.Min(members.Count - 1, position + window); other++)
            {
                if (other != position)
                {
                    _links[link++] = members[other];
                }
            }
        }
    }

    /// <summary>Rebuilds slots and postings without the tombstones.</summary>
    private void Compact()
    {
        var live = _slots.Where((_, index) => _isLive[index]).ToList();
        _slots.Clear();
        _slotById.Clear();
        _batches.Clear();
        foreach (var postings in _postings)
        {
            postings.Clear();
        }

        _dirtyBatches.Clear();
        Array.Clear(_isLive);
        foreach (var slot in live)
        {
            AddSlot(slot);
        }

        _removed = 0;
    }

    private readonly record struct TermCount(int Term, int Count);

    private sealed class Slot(
        string id, MemoryState state, string? app, long occurredAt, string batchId, int batchIndex, string[] tags, TermCount[] terms, int[] dateTerms, int textLength, int dateLength)
    {
        public string Id { get; } = id;
        public MemoryState State { get; } = state;
        public string? App { get; } = app;
        public long OccurredAt { get; } = occurredAt;
        public string BatchId { get; } = batchId;
        public int BatchIndex { get; } = batchIndex;
        public string[] Tags { get; } = tags;

        /// <summary>Distinct terms of the memory's own words, sorted by term id, with their counts.</summary>
        public TermCount[] Terms { get; } = terms;
        public int[] DateTerms { get; } = dateTerms;

        /// <summary>Words of the text (stop-words included) and of its date.</summary>
        public int TextLength { get; } = textLength;
        public int DateLength { get; } = dateLength;

        public bool Has(int term)
        {
            int low = 0, high = Terms.Length - 1;
            while (low <= high)
            {
                var middle = (low + high) >>> 1;
                var value = Terms[middle].Term;
                if (value == term)
                {
                    return true;
                }

                if (value < term)
                {
                    low = middle + 1;
                }
                else
                {
                    high = middle - 1;
                }
            }

            return false;
        }
    }

    /// <summary>Where a term occurs: slots whose own text has it (with counts) and slots whose date has it.</summary>
    private sealed class Postings
    {
        private int[] _slots = new int[4];
        private int[] _counts = new int[4];

        public int Count { get; private set; }
        public int[] Slots => _slots;
        public int[] Counts => _counts;
        public List<int> DateSlots { get; } = [];

        public void Add(int slot, int count)
        {
            if (Count == _slots.Length)
            {
                Array.Resize(ref _slots, Count * 2);
                Array.Resize(ref _counts, Count * 2);
            }

            _slots[Count] = slot;
            _counts[Count] = count;
            Count++;
        }

        public void Clear()
        {
            Count = 0;
            DateSlots.Clear();
        }
    }
}
