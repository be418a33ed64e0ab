using System.Globalization;

namespace Mnemo.Memory.Search.Keyword;

/// <summary>
/// One user's BM25 index, in memory: a pure structure (no database, no user id) made of
/// <see cref="KeywordPostings"/> (terms → slots), <see cref="KeywordDocuments"/> (slots, neighbours, lengths) and a
/// <see cref="Bm25Scorer"/>. A memory's document is its own words plus, as a lower-weighted context field, the words
/// of its neighbours (the memories written before and after it in the same add call) and the day it happened
/// ("8 May 2023"). Only the memory's own words are stored; the context is added while scoring, through the neighbour
/// links, so editing or deleting a memory changes its neighbours' documents at once.
/// </summary>
/// <remarks>
/// Statistics are this user's alone: another user's memories never change a score (they would otherwise leak through
/// it). Not thread-safe: <see cref="SearchIndex"/> serialises access per user.
/// </remarks>
internal sealed class UserKeywordIndex(KeywordRanking ranking)
{
    private readonly KeywordPostings _postings = new();
    private readonly KeywordDocuments _documents = new(ranking.NeighbourWindow);
    private readonly Bm25Scorer _scorer = new();

    public int Count => _documents.Count;

    /// <summary>The ids of the memories in the index.</summary>
    public IEnumerable<string> Ids => _documents.Ids;

    public void Upsert(KeywordDocument document)
    {
        Remove(document.Id);
        var (stems, length) = KeywordTokenizer.Tokenize(document.Text);
        var counts = new Dictionary<int, int>();
        foreach (var stem in stems)
        {
            var term = _postings.TermId(stem);
            counts[term] = counts.GetValueOrDefault(term) + 1;
        }

        var dateTerms = Array.Empty<int>();
        var dateLength = 0;
        if (ranking.Dates)
        {
            var (dateStems, dateWords) = KeywordTokenizer.Tokenize(
                new DateTime(document.Facts.OccurredAt, DateTimeKind.Utc).ToString("d MMMM yyyy", CultureInfo.InvariantCulture));
            dateTerms = [.. dateStems.Select(_postings.TermId).Distinct()];
            dateLength = dateWords;
        }

        Append(new KeywordSlot(
            document.Id, document.Facts, document.BatchId, document.BatchIndex,
            [.. counts.OrderBy(c => c.Key).Select(c => new TermCount(c.Key, c.Value))], dateTerms, length, dateLength));
    }

    public bool Remove(string id)
    {
        if (!_documents.Remove(id))
        {
            return false;
        }

        if (CompactionPolicy.ShouldCompact(_documents.Tombstones, _documents.SlotCount))
        {
            // Rebuilds slots and postings without the tombstones (term ids stay).
            var live = _documents.TakeLive();
            _postings.Clear();
            live.ForEach(Append);
        }

        return true;
    }

    /// <summary>Best first, at most <paramref name="limit"/>, among memories that pass <paramref name="filter"/>.</summary>
    public List<ScoredId> Search(IReadOnlyList<string> stems, MemoryFilter filter, int limit)
    {
        _documents.Prepare();
        return Count == 0 || limit <= 0 ? [] : _scorer.Search(_postings, _documents, stems, filter, limit, ranking.ContextWeight);
    }

    /// <summary>Active memories whose own words include every stem, newest first (near-duplicate candidates).</summary>
    public List<string> ContainingAll(IReadOnlyList<string> stems, int limit)
    {
        var terms = new List<int>(stems.Count);
        foreach (var stem in stems)
        {
            if (!_postings.TryGetTerm(stem, out var term))
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
        var postings = _postings[terms.MinBy(t => _postings[t].Count)];
        var found = new List<string>();
        for (var i = postings.Count - 1; i >= 0 && found.Count < limit; i--)
        {
            var index = postings.Slots[i];
            var slot = _documents[index];
            if (_documents.IsLive[index] && slot.Facts.State == MemoryState.Active && terms.All(slot.Has))
            {
                found.Add(slot.Id);
            }
        }

        return found;
    }

    private void Append(KeywordSlot slot) => _postings.Add(_documents.Add(slot), slot);
}
