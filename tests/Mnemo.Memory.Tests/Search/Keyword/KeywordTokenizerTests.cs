using Mnemo.Memory.Search.Keyword;

// Not Mnemo.Memory.Tests.Search.Keyword: a Mnemo.Memory.Tests.Search namespace would hide Mnemo.Memory.Search from
// the tests in Mnemo.Memory.Tests that name it as `Search.QueryTerms`.
namespace Mnemo.Memory.Tests.Keyword;

public sealed class KeywordTokenizerTests
{
    [Fact]
    public void Tokenize_StopWords_AreNotStemsButCountInTheLength()
    {
        var (stems, length) = KeywordTokenizer.Tokenize("The dog and THE cat were in the garden");

        Assert.Equal(["dog", "cat", "garden"], stems);
        Assert.Equal(9, length);
    }

    [Fact]
    public void Tokenize_StemsWordsAndKeepsRepeats()
    {
        var (stems, length) = KeywordTokenizer.Tokenize("Hiking, hikes; hiked!");

        Assert.Equal(["hike", "hike", "hike"], stems);
        Assert.Equal(3, length);
    }

    [Fact]
    public void Tokenize_WordsUnderThreeLetters_AreNotStemmed()
    {
        // Porter strips a final "s" at any length: "cds" becomes "cd", but "ps" stays "ps" (not "p").
        var (stems, _) = KeywordTokenizer.Tokenize("ps cds");

        Assert.Equal(["ps", "cd"], stems);
        Assert.Equal("ms", KeywordTokenizer.Stem("ms"));
        Assert.Equal("hike", KeywordTokenizer.Stem("hiking"));
    }

    [Fact]
    public void Tokenize_FoldsCaseAndDiacritics()
    {
        var (stems, length) = KeywordTokenizer.Tokenize("CAFÉ Zoë Ångström");

        Assert.Equal(["cafe", "zoe", "angstrom"], stems);
        Assert.Equal(3, length);
        // Typed as a letter and a combining accent (decomposed), and letters without a decomposition.
        var (decomposed, words) = KeywordTokenizer.Tokenize("Cafe\u0301");
        Assert.Equal(["cafe"], decomposed);
        Assert.Equal(1, words);
        Assert.Equal(["strass", "oresund"], KeywordTokenizer.Tokenize("Straße Øresund").Stems);
    }

    [Fact]
    public void Tokenize_SplitsOnPunctuation_AndKeepsNumbers()
    {
        var (stems, length) = KeywordTokenizer.Tokenize("flight LH1234 at 7:45 (gate B-12)");

        Assert.Equal(["flight", "lh1234", "7", "45", "gate", "b", "12"], stems);
        Assert.Equal(8, length);
    }

    [Fact]
    public void QueryStems_FoldsStemsAndDropsRepeatedStems()
    {
        Assert.Equal(["hike", "cafe"], KeywordTokenizer.QueryStems(["hiking", "café", "hikes", "cafe"]));
    }
}
