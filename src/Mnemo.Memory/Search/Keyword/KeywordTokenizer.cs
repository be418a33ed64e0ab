using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;
using Lucene.Net.Analysis.Miscellaneous;
using Lucene.Net.Tartarus.Snowball.Ext;

namespace Mnemo.Memory.Search.Keyword;

/// <summary>
/// Words as the keyword index sees them: runs of letters, marks and digits, lower-cased, diacritics removed, and
/// Porter-stemmed ("hiking" and "hikes" both become "hike"), so documents and queries meet on the same stems.
/// English stop-words count towards a text's length but are not indexed: no query ever asks for them.
/// </summary>
internal static partial class KeywordTokenizer
{
    // Words shorter than this are kept as they are: stemming "is" to "i" only merges unrelated words.
    private const int MinStemLength = 3;
    private const int MaxCachedStems = 200_000;

    private static readonly ConcurrentDictionary<string, string> Stems = new(StringComparer.Ordinal);

    // Snowball stemmers keep state between calls: one per thread.
    private static readonly ThreadLocal<PorterStemmer> Stemmer = new(() => new PorterStemmer());

    [GeneratedRegex(@"[\p{L}\p{M}\p{N}]+", RegexOptions.CultureInvariant)]
    private static partial Regex WordPattern();

    /// <summary>The stems of <paramref name="text"/>'s indexable words (repeats kept), and how many words it has in all.</summary>
    public static (List<string> Stems, int Length) Tokenize(string text)
    {
        var stems = new List<string>();
        var length = 0;
        foreach (var match in WordPattern().EnumerateMatches(text))
        {
            var word = Fold(text.AsSpan(match.Index, match.Length));
            if (word.Length == 0)
            {
                continue;
            }

            length++;
            if (!QueryTerms.StopWords.Contains(word))
            {
                stems.Add(Stem(word));
            }
        }

        return (stems, length);
    }

    /// <summary>Distinct stems of query terms (already lower-cased words from <see cref="QueryTerms"/>).</summary>
    public static List<string> QueryStems(IEnumerable<string> terms)
    {
        var stems = new List<string>();
        foreach (var term in terms)
        {
            var stem = Stem(Fold(term));
            if (stem.Length > 0 && !stems.Contains(stem, StringComparer.Ordinal))
            {
                stems.Add(stem);
            }
        }

        return stems;
    }

    internal static string Fold(ReadOnlySpan<char> word)
    {
        foreach (var c in word)
        {
            if (c > '\u007f')
            {
                return RemoveDiacritics(word).ToLowerInvariant();
            }
        }

        return word.ToString().ToLowerInvariant();
    }

    internal static string Stem(string word)
    {
        if (word.Length < MinStemLength)
        {
            return word;
        }

        if (Stems.TryGetValue(word, out var cached))
        {
            return cached;
        }

        var stemmer = Stemmer.Value!;
        stemmer.SetCurrent(word);
        stemmer.Stem();
        var stem = stemmer.Current;
        // Bounded: a stream of random strings must not grow the cache without end.
        if (Stems.Count < MaxCachedStems)
        {
            Stems.TryAdd(word, stem);
        }

        return stem;
    }

    /// <summary>
    /// Latin letters to their ASCII base ("é" to "e", "ß" to "ss", "ø" to "o"), combining marks dropped ("e\u0301" to "e").
    /// Not <c>string.Normalize(FormD)</c>: the projects run with <c>InvariantGlobalization</c>, where it leaves "é" whole.
    /// </summary>
    private static string RemoveDiacritics(ReadOnlySpan<char> word)
    {
        var marksless = new char[word.Length];
        var length = 0;
        foreach (var c in word)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark)
            {
                marksless[length++] = c;
            }
        }

        // Lucene's table maps one character to at most four.
        var folded = new char[length * 4];
        var foldedLength = ASCIIFoldingFilter.FoldToASCII(marksless, 0, folded, 0, length);
        return new string(folded, 0, foldedLength);
    }
}
