namespace Mnemo.Memory.Search.Embeddings;

/// <summary>
/// Splits long text into overlapping word windows: MiniLM reads at most 256 word pieces and silently drops
/// the rest, so a long memory is embedded as several chunks and matched by its best chunk.
/// </summary>
internal static class TextChunker
{
    /// <summary>About 1.3 word pieces per English word: 160 words stay under 256 pieces.</summary>
    public const int WordsPerChunk = 160;
    public const int OverlapWords = 30;

    public static IReadOnlyList<string> Chunk(string text)
    {
        var words = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (words.Length <= WordsPerChunk)
        {
            return [text];
        }

        var chunks = new List<string>();
        for (var start = 0; start < words.Length; start += WordsPerChunk - OverlapWords)
        {
            chunks.Add(string.Join(' ', words, start, Math.Min(WordsPerChunk, words.Length - start)));
            if (start + WordsPerChunk >= words.Length)
            {
                break;
            }
        }

        return chunks;
    }
}
