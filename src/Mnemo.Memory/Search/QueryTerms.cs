using System.Text.RegularExpressions;

namespace Mnemo.Memory.Search;

/// <summary>
/// Turns free text into search terms: lower-cased words and numbers, English stop-words removed, duplicates dropped.
/// Terms contain only letters, marks and digits, so nothing a user types can become query syntax.
/// </summary>
internal static partial class QueryTerms
{
    /// <summary>At most this many distinct terms are used from one query.</summary>
    public const int MaxTerms = 32;

    [GeneratedRegex(@"[\p{L}\p{M}\p{N}]+", RegexOptions.CultureInvariant)]
    private static partial Regex WordPattern();

    public static IReadOnlyList<string> Extract(string text)
    {
        var terms = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var match in WordPattern().EnumerateMatches(text))
        {
            var word = text.AsSpan(match.Index, match.Length).ToString().ToLowerInvariant();
            // Single letters carry no meaning ("s" of "Caroline's"); single digits do.
            if (word.Length == 1 && !char.IsDigit(word[0]))
            {
                continue;
            }

            if (StopWords.Contains(word) || !seen.Add(word))
            {
                continue;
            }

            terms.Add(word);
            if (terms.Count == MaxTerms)
            {
                break;
            }
        }

        return terms;
    }

    /// <summary>A common English stop-word list (plus question words, which every question carries).</summary>
    internal static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any", "are", "as", "at",
        "be", "because", "been", "before", "being", "below", "between", "both", "but", "by",
        "can", "could", "did", "do", "does", "doing", "down", "during", "each", "few", "for", "from", "further",
        "had", "has", "have", "having", "he", "her", "here", "hers", "herself", "him", "himself", "his", "how",
        "i", "if", "in", "into", "is", "it", "its", "itself", "just", "me", "more", "most", "my", "myself",
        "no", "nor", "not", "now", "of", "off", "on", "once", "only", "or", "other", "our", "ours", "ourselves",
        "out", "over", "own", "same", "she", "should", "so", "some", "such",
        "than", "that", "the", "their", "theirs", "them", "themselves", "then", "there", "these", "they", "this",
        "those", "through", "to", "too", "under", "until", "up", "very", "was", "we", "were", "what", "when",
        "where", "which", "while", "who", "whom", "why", "will", "with", "would", "you", "your", "yours",
        "yourself", "yourselves", "s", "t", "don", "doesn", "didn", "isn", "wasn", "aren", "weren", "ll", "re",
        "ve", "d", "m", "o", "y", "also", "might", "must", "shall", "us", "let", "get", "got",
    };
}
