using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
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
        var lower = word.ToString().ToLowerInvariant();
        foreach (var c in lower)
        {
            if (c > '\u007f')
            {
                return RemoveDiacritics(lower);
            }
        }

        return lower;
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

    private static string RemoveDiacritics(string word)
    {
        var decomposed = word.Normalize(NormalizationForm.FormD);
        var kept = new StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark)
            {
                kept.Append(c);
            }
        }

        return kept.ToString().Normalize(NormalizationForm.FormC);
    }
}
