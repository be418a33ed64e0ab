namespace Mnemo.Memory.Search.Keyword;

/// <summary>
/// The term dictionary of one user's keyword index and, per term, the slots where it occurs. Term ids are never
/// reused or dropped (stored slots refer to them); only the lists are emptied when the slots are compacted.
/// </summary>
internal sealed class KeywordPostings
{
    private readonly Dictionary<string, int> _termIds = new(StringComparer.Ordinal);
    private readonly List<TermPostings> _postings = [];

    public TermPostings this[int term] => _postings[term];

    public bool TryGetTerm(string stem, out int term) => _termIds.TryGetValue(stem, out term);

    /// <summary>The id of <paramref name="stem"/>, added with an empty list if it is new.</summary>
    public int TermId(string stem)
    {
        if (!_termIds.TryGetValue(stem, out var term))
        {
            term = _postings.Count;
            _termIds[stem] = term;
            _postings.Add(new TermPostings());
        }

        return term;
    }

    /// <summary>Lists the slot under each of its own terms (with counts) and each of its date terms.</summary>
    public void Add(int index, KeywordSlot slot)
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

    /// <summary>Empties every list before a compaction lists the live slots again under their new indexes.</summary>
    public void Clear()
    {
        foreach (var postings in _postings)
        {
            postings.Clear();
        }
    }
}

/// <summary>Where one term occurs: slots whose own text has it (with counts, in slot order) and slots whose date has it.</summary>
internal sealed class TermPostings
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
