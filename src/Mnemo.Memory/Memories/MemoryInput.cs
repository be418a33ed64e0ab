using System.Diagnostics.CodeAnalysis;
using Mnemo.Storage.Text;

namespace Mnemo.Memory.Memories;

/// <summary>Validation and normalisation of tool input. Every method throws <see cref="MemoryValidationException"/> before anything is written.</summary>
internal static class MemoryInput
{
    public static string Text(string? text, int index)
    {
        var trimmed = text?.Trim() ?? "";
        if (trimmed.Length == 0)
        {
            throw new MemoryValidationException(index < 0 ? MemoryErrors.UpdateTextEmpty() : MemoryErrors.TextEmpty(index));
        }

        if (trimmed.Length > MemoryErrors.MaxTextLength)
        {
            throw new MemoryValidationException(index < 0 ? MemoryErrors.UpdateTextTooLong(trimmed.Length) : MemoryErrors.TextTooLong(index, trimmed.Length));
        }

        // PostgreSQL text cannot hold U+0000 at all (SQLite stored it): refused on both, so a memory either is stored
        // everywhere or is an error the client can act on, never a server error on one engine.
        if (trimmed.Contains('\0', StringComparison.Ordinal))
        {
            throw new MemoryValidationException(index < 0 ? MemoryErrors.UpdateTextNul() : MemoryErrors.TextNul(index));
        }

        return ReplaceLoneSurrogates(trimmed);
    }

    /// <summary>
    /// Whether <paramref name="id"/> is shaped like an id Mnemo hands out (a GUID). Any other string names no memory,
    /// so it is answered as unknown without a query: a query with it could only fail (PostgreSQL refuses U+0000 and
    /// broken UTF-16 in a parameter) or find nothing.
    /// </summary>
    public static bool IsWellFormedId([NotNullWhen(true)] string? id) => Guid.TryParseExact(id, "D", out _);

    /// <summary>
    /// A lone surrogate (half of a UTF-16 pair, e.g. cut by the client) has no UTF-8 form. SQLite's driver stored it as
    /// U+FFFD; PostgreSQL's refuses the whole write. Replacing it here keeps what SQLite stored, on both engines.
    /// </summary>
    private static string ReplaceLoneSurrogates(string text)
    {
        if (!HasLoneSurrogate(text))
        {
            return text;
        }

        var result = text.ToCharArray();
        for (var i = 0; i < result.Length; i++)
        {
            if (IsPair(result, i))
            {
                i++;
            }
            else if (char.IsSurrogate(result[i]))
            {
                result[i] = '\uFFFD';
            }
        }

        return new string(result);
    }

    private static bool HasLoneSurrogate(ReadOnlySpan<char> text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (IsPair(text, i))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsPair(ReadOnlySpan<char> text, int i) =>
        char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]);

    /// <summary>Trims and lower-cases tags, drops duplicates; <paramref name="where"/> names the argument in messages (e.g. <c>memories[2].tags</c>).</summary>
    public static IReadOnlyList<string> Tags(IReadOnlyList<string>? tags, string where)
    {
        if (tags is null || tags.Count == 0)
        {
            return [];
        }

        if (tags.Count > MemoryErrors.MaxTagEntries)
        {
            throw new MemoryValidationException(MemoryErrors.TooManyTags(where));
        }

        // Refused as soon as the limit is passed, and duplicates found with a set: the work is linear in what is read,
        // and what is read is bounded by the limit (plus repeats), whatever the caller sent.
        var result = new List<string>(Math.Min(tags.Count, MemoryErrors.MaxTags));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < tags.Count; i++)
        {
            var at = $"{where}[{i}]";
            var raw = tags[i] ?? "";
            if (raw.Length > MemoryErrors.MaxTagLength * 4)
            {
                // Bounded before trimming and lower-casing a megabyte-long "tag".
                throw new MemoryValidationException(MemoryErrors.TagTooLong(at, raw.Length));
            }

            var tag = raw.Trim().ToLowerInvariant();
            if (tag.Length == 0)
            {
                throw new MemoryValidationException(MemoryErrors.TagEmpty(at));
            }

            if (tag.Length > MemoryErrors.MaxTagLength)
            {
                throw new MemoryValidationException(MemoryErrors.TagTooLong(at, tag.Length));
            }

            if (tag.Any(char.IsControl) || HasLoneSurrogate(tag))
            {
                throw new MemoryValidationException(MemoryErrors.TagInvalid(at));
            }

            if (seen.Add(tag))
            {
                result.Add(tag);
                if (result.Count > MemoryErrors.MaxTags)
                {
                    throw new MemoryValidationException(MemoryErrors.TooManyTags(where));
                }
            }
        }

        return result;
    }

    public static int Limit(int limit) =>
        limit is < 1 or > MemoryErrors.MaxLimit ? throw new MemoryValidationException(MemoryErrors.Limit(limit)) : limit;

    /// <summary>Filters on state: active when not given; deleted is refused (it is never visible).</summary>
    public static MemoryState ReadableState(MemoryState? state) => state switch
    {
        null => MemoryState.Active,
        MemoryState.Deleted => throw new MemoryValidationException(MemoryErrors.DeletedStateFilter()),
        { } s when !Enum.IsDefined(s) => throw new MemoryValidationException(MemoryErrors.InvalidState(s)),
        { } s => s,
    };

    /// <summary>
    /// The app name is whatever the MCP client called itself in <c>initialize</c>, stored on every memory and access-log
    /// row: cleaned and capped (<see cref="ClientText"/>) so a client cannot grow the database or smuggle bidi and
    /// zero-width characters into lists. A filter by app is cleaned the same way, so it matches what was stored.
    /// </summary>
    public static string? App(string? app) => ClientText.Clean(app);

    public static IReadOnlyList<string> Ids(IReadOnlyList<string>? ids)
    {
        if (ids is null || ids.Count is 0 or > MemoryErrors.MaxItems)
        {
            throw new MemoryValidationException(MemoryErrors.ItemCount("ids", ids?.Count ?? 0));
        }

        return ids.Select(id => id?.Trim() ?? "").Distinct(StringComparer.Ordinal).ToList();
    }
}
