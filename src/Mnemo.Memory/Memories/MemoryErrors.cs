using System.Globalization;

namespace Mnemo.Memory.Memories;

/// <summary>
/// Every message an assistant can get back from the memory service, in one place. Each says what was wrong
/// and what to send instead; argument names are those of the MCP tools (memories, text, tags, query…).
/// </summary>
internal static class MemoryErrors
{
    public const int MaxItems = 100;
    public const int MaxTextLength = 8_000;
    public const int MaxTagLength = 64;
    public const int MaxTags = 20;

    /// <summary>Entries in one tags list, repeats included (repeats are dropped, but a list is never read past this).</summary>
    public const int MaxTagEntries = 100;
    public const int MaxQueryLength = 1_000;
    public const int MaxLimit = 100;
    private const int MaxIdEcho = 80;

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    public static string ItemCount(string argument, int count) =>
        F($"{argument} must contain between 1 and {MaxItems} items; got {count}. Split larger batches into several calls.");

    public static string TextEmpty(int index) =>
        F($"memories[{index}].text is empty. Send the fact to remember as non-empty text.");

    public static string TextTooLong(int index, int length) =>
        F($"memories[{index}].text is {length} characters long; the limit is {MaxTextLength}. Shorten it or split it into several memories.");

    public static string TextNul(int index) =>
        F($"memories[{index}].text contains a NUL character (U+0000), which cannot be stored. Remove it and send the text again.");

    public static string UpdateTextNul() => "text contains a NUL character (U+0000), which cannot be stored. Remove it and send the text again.";

    public static string UpdateTextEmpty() => "text is empty. Send the new text of the memory, or leave text out to change only the state.";

    public static string UpdateTextTooLong(int length) =>
        F($"text is {length} characters long; the limit is {MaxTextLength}. Shorten it or split it into several memories.");

    public static string TagEmpty(string where) => F($"{where} is empty. Remove it or give the tag a name of 1-{MaxTagLength} characters.");

    public static string TagTooLong(string where, int length) =>
        F($"{where} is {length} characters long; a tag has at most {MaxTagLength} characters. Use a shorter tag.");

    public static string TagInvalid(string where) => F($"{where} contains control characters or broken Unicode (a lone surrogate). Use plain words for tags.");

    public static string TooManyTags(string where) =>
        F($"{where} has more than {MaxTags} distinct tags; at most {MaxTags} are allowed. Keep the most useful ones.");

    public static string QueryEmpty() => "query is empty. Send the words or question to search for.";

    public static string QueryTooLong(int length) =>
        F($"query is {length} characters long; the limit is {MaxQueryLength}. Send a shorter query with the key words.");

    public static string Limit(int limit) => F($"limit must be between 1 and {MaxLimit}; got {limit}.");

    public static string DeletedStateFilter() =>
        "state 'deleted' cannot be searched or listed: deleted memories are gone. Use active, paused or archived, or leave state out for active memories.";

    public static string TimeRange(DateTimeOffset after, DateTimeOffset before) =>
        F($"occurred_after ({after:O}) must not be later than occurred_before ({before:O}). Swap them or widen the range.");

    public static string Cursor() =>
        "cursor is not valid. Pass the next_cursor value from the previous list result unchanged, or leave cursor out to start from the newest memory.";

    public static string UpdateNothing() => "Nothing to update: send the new text, a new state, or both.";

    public static string UnknownId(string id)
    {
        var shown = id.Length > MaxIdEcho ? id[..MaxIdEcho] + "…" : id;
        return $"No memory with id '{shown}'. Use search_memory or list_memories to find the right id.";
    }

    public static string InvalidState(MemoryState state) => F($"state '{state}' is not a known memory state. Use active, paused, archived or deleted.");
}
