namespace Mnemo.Memory.Search;

/// <summary>The filters every search applies, already validated. Times are UTC ticks; both bounds are inclusive (occurred_after <= t <= occurred_before).</summary>
internal sealed record MemoryFilter(MemoryState State, IReadOnlyList<string> Tags, long? OccurredAfter, long? OccurredBefore, string? App)
{
    /// <summary>
    /// Whether a memory with these facts passes. Both indexes filter with this one method, so a keyword hit and a
    /// semantic hit can never disagree on what a filter means. A plain loop, no lambda: the vector scan calls it for
    /// every memory of the user.
    /// </summary>
    public bool Matches(MemoryFacts facts)
    {
        if (facts.State != State
            || (App is not null && !string.Equals(facts.App, App, StringComparison.Ordinal))
            || (OccurredAfter is { } after && facts.OccurredAt < after)
            || (OccurredBefore is { } before && facts.OccurredAt > before))
        {
            return false;
        }

        for (var i = 0; i < Tags.Count; i++)
        {
            if (Array.IndexOf(facts.Tags, Tags[i]) < 0)
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>
/// What a search filters a memory by (state, app, date, tags), as both in-memory indexes hold it for every live memory.
/// Tags are an array (a few at most) searched with ordinal equality.
/// </summary>
internal sealed record MemoryFacts(MemoryState State, string? App, long OccurredAt, string[] Tags);

internal readonly record struct ScoredId(string Id, double Score);
