namespace Mnemo.Memory.Search.Keyword;

/// <summary>
/// The documents side of one user's keyword index: one slot per stored memory, its add call (neighbours), and what
/// scoring reads per slot, in flat arrays (a pointer chase per posting costs more than the arithmetic): whether the
/// slot is live, its neighbour links (2 × window per slot, -1 = none) and its BM25 document length — its own words,
/// its date's words and its live neighbours' words. Removing a memory leaves a tombstone (<see cref="CompactionPolicy"/>);
/// links and lengths are brought up to date lazily, by <see cref="Prepare"/> before a search.
/// </summary>
internal sealed class KeywordDocuments(int neighbourWindow)
{
    private readonly List<KeywordSlot> _slots = [];
    private readonly Dictionary<string, int> _slotById = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<int>> _batches = new(StringComparer.Ordinal);
    private readonly HashSet<string> _dirtyBatches = new(StringComparer.Ordinal);
    private bool _lengthsDirty;

    private bool[] _isLive = [];
    private int[] _links = [];
    private float[] _lengths = [];

    /// <summary>Live memories.</summary>
    public int Count => _slotById.Count;

    /// <summary>The ids of the live memories.</summary>
    public IEnumerable<string> Ids => _slotById.Keys;

    /// <summary>Slots in use, tombstones included (slot indexes run from 0 to this).</summary>
    public int SlotCount => _slots.Count;

    public int Tombstones { get; private set; }

    /// <summary>Length of the per-slot arrays; scratch space indexed by slot must be at least this long.</summary>
    public int Capacity => _isLive.Length;

    /// <summary>Links per slot: <c>Links[i × Stride ..]</c> are slot i's neighbours, the first -1 ends them.</summary>
    public int Stride { get; } = 2 * neighbourWindow;

    // The arrays themselves, not copies or spans: the scorer's inner loop reads them per posting.
    public bool[] IsLive => _isLive;
    public int[] Links => _links;
    public float[] Lengths => _lengths;

    public double AverageLength { get; private set; }

    public KeywordSlot this[int index] => _slots[index];

    public bool TryGetIndex(string id, out int index) => _slotById.TryGetValue(id, out index);

    /// <summary>Appends a slot and its add-call membership; returns its index. Links and lengths follow in <see cref="Prepare"/>.</summary>
    public int Add(KeywordSlot slot)
    {
        var index = _slots.Count;
        _slots.Add(slot);
        _slotById[slot.Id] = index;
        if (_isLive.Length <= index)
        {
            var size = Math.Max(1024, _isLive.Length * 2);
            Array.Resize(ref _isLive, size);
            Array.Resize(ref _lengths, size);
            var links = _links.Length;
            Array.Resize(ref _links, size * Stride);
            Array.Fill(_links, -1, links, _links.Length - links);
        }

        _isLive[index] = true;
        Array.Fill(_links, -1, index * Stride, Stride);
        if (!_batches.TryGetValue(slot.BatchId, out var members))
        {
            _batches[slot.BatchId] = members = [];
        }

        members.Add(index);
        _dirtyBatches.Add(slot.BatchId);
        _lengthsDirty = true;
        return index;
    }

    /// <summary>Tombstones the memory's slot: postings keep pointing at it until the next compaction and skip it meanwhile.</summary>
    public bool Remove(string id)
    {
        if (!_slotById.Remove(id, out var index))
        {
            return false;
        }

        var slot = _slots[index];
        _isLive[index] = false;
        Tombstones++;
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
        return true;
    }

    /// <summary>Empties the table and returns its live slots in order, for a compaction to add again.</summary>
    public List<KeywordSlot> TakeLive()
    {
        var live = _slots.Where((_, index) => _isLive[index]).ToList();
        _slots.Clear();
        _slotById.Clear();
        _batches.Clear();
        _dirtyBatches.Clear();
        Array.Clear(_isLive);
        Tombstones = 0;
        return live;
    }

    /// <summary>Brings neighbour links and document lengths up to date after writes.</summary>
    public void Prepare()
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
                for (int link = index * Stride, end = link + Stride; link < end && _links[link] >= 0; link++)
                {
                    length += _slots[_links[link]].TextLength;
                }

                _lengths[index] = length;
                total += length;
            }

            AverageLength = Count == 0 ? 1 : Math.Max(1, total / Count);
            _lengthsDirty = false;
        }
    }

    /// <summary>Each live member of an add call sees the live members up to <c>neighbourWindow</c> positions either side.</summary>
    private void LinkNeighbours(List<int> members)
    {
        members.Sort((a, b) => _slots[a].BatchIndex.CompareTo(_slots[b].BatchIndex));
        for (var position = 0; position < members.Count; position++)
        {
            var link = members[position] * Stride;
            Array.Fill(_links, -1, link, Stride);
            for (var other = Math.Max(0, position - neighbourWindow); other <= Math.Min(members.Count - 1, position + neighbourWindow); other++)
            {
                if (other != position)
                {
                    _links[link++] = members[other];
                }
            }
        }
    }
}
