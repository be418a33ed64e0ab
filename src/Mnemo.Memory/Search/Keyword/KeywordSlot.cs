namespace Mnemo.Memory.Search.Keyword;

/// <summary>A distinct term of a memory's own words and how often it occurs there.</summary>
internal readonly record struct TermCount(int Term, int Count);

/// <summary>
/// A memory as the index stores it: its facts, its place in its add call, and its words as term ids. The text itself
/// is not kept (a neighbour's context is read through links while scoring, see <see cref="KeywordDocuments"/>).
/// </summary>
internal sealed class KeywordSlot(
    string id, MemoryFacts facts, string batchId, int batchIndex, TermCount[] terms, int[] dateTerms, int textLength, int dateLength)
{
    public string Id { get; } = id;
    public MemoryFacts Facts { get; } = facts;
    public string BatchId { get; } = batchId;
    public int BatchIndex { get; } = batchIndex;

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
