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

        return trimmed;
    }

    /// <summary>Trims and lower-cases tags, drops duplicates; <paramref name="where"/> names the argument in messages (e.g. <c>memories[2].tags</c>).</summary>
    public static IReadOnlyList<string> Tags(IReadOnlyList<string>? tags, string where)
    {
        if (tags is null || tags.Count == 0)
        {
            return [];
        }

        var result = new List<string>(tags.Count);
        for (var i = 0; i < tags.Count; i++)
        {
            var tag = tags[i]?.Trim().ToLowerInvariant() ?? "";
            var at = $"{where}[{i}]";
            if (tag.Length == 0)
            {
                throw new MemoryValidationException(MemoryErrors.TagEmpty(at));
            }

            if (tag.Length > MemoryErrors.MaxTagLength)
            {
                throw new MemoryValidationException(MemoryErrors.TagTooLong(at, tag.Length));
            }

            if (tag.Any(char.IsControl))
            {
                throw new MemoryValidationException(MemoryErrors.TagInvalid(at));
            }

            if (!result.Contains(tag, StringComparer.Ordinal))
            {
                result.Add(tag);
            }
        }

        if (result.Count > MemoryErrors.MaxTags)
        {
            throw new MemoryValidationException(MemoryErrors.TooManyTags(where, result.Count));
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

    public static string? App(string? app) => string.IsNullOrWhiteSpace(app) ? null : app.Trim();

    public static IReadOnlyList<string> Ids(IReadOnlyList<string>? ids)
    {
        if (ids is null || ids.Count is 0 or > MemoryErrors.MaxItems)
        {
            throw new MemoryValidationException(MemoryErrors.ItemCount("ids", ids?.Count ?? 0));
        }

        return ids.Select(id => id?.Trim() ?? "").Distinct(StringComparer.Ordinal).ToList();
    }
}
