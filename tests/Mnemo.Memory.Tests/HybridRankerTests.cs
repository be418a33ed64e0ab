using Mnemo.Memory.Search;
using Mnemo.Memory.Search.Embeddings;

namespace Mnemo.Memory.Tests;

public sealed class HybridRankerTests
{
    [Fact]
    public void Fuse_WeighsNormalisedScores()
    {
        ScoredId[] keyword = [new("exact", 10), new("both", 5)];
        ScoredId[] dense = [new("both", 0.8), new("synonym", 0.7), new("far", 0.2)];

        var fused = HybridRanker.Fuse(keyword, dense, denseWeight: 0.5);

        // both: 0.5*0.5 + 0.5*1 = 0.75; exact: 0.5; synonym: 0.5*(0.5/0.6) ≈ 0.42; far: 0.
        Assert.Equal(["both", "exact", "synonym", "far"], fused.Select(f => f.Id));
        Assert.Equal(0.75, fused[0].Score, 3);
    }

    [Fact]
    public void Fuse_WithOneSideEmpty_KeepsTheOtherOrder()
    {
        ScoredId[] keyword = [new("a", 3), new("b", 1)];

        Assert.Equal(["a", "b"], HybridRanker.Fuse(keyword, [], 0.6).Select(f => f.Id));
        Assert.Equal(["a", "b"], HybridRanker.Fuse([], keyword, 0.6).Select(f => f.Id));
    }

    [Fact]
    public void Chunker_SplitsLongTextIntoOverlappingWindows_AndKeepsShortTextWhole()
    {
        var words = Enumerable.Range(0, 400).Select(i => $"w{i}").ToArray();

        var chunks = TextChunker.Chunk(string.Join(' ', words));

        Assert.Equal(["short text"], TextChunker.Chunk("short text"));
        Assert.Equal(3, chunks.Count);
        Assert.StartsWith("w0 ", chunks[0]);
        Assert.StartsWith("w130 ", chunks[1]);
        Assert.EndsWith(" w399", chunks[^1]);
        Assert.All(chunks, c => Assert.True(c.Split(' ').Length <= TextChunker.WordsPerChunk));
    }
}
