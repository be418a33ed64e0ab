namespace Mnemo.Memory.Memories;

/// <summary>
/// Who is acting: the user comes only from an authenticated token (never from a tool argument);
/// <paramref name="App"/> is the client application that wrote or read, for the memory's origin and the access log.
/// </summary>
public sealed record MemoryCaller(string UserId, string? App);

/// <summary>One memory as the outside world sees it. The owner's user id is deliberately left out.</summary>
public sealed record MemoryRecord(
    string Id,
    string Text,
    IReadOnlyList<string> Tags,
    MemoryState State,
    string? App,
    DateTimeOffset OccurredAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>One memory to add. <paramref name="OccurredAt"/> defaults to now.</summary>
public sealed record NewMemory(string Text, IReadOnlyList<string>? Tags = null, DateTimeOffset? OccurredAt = null);

/// <summary>What happened to one input of an add call: <c>added</c>, or <c>updated</c> when it repeated an existing memory.</summary>
public sealed record AddOutcome(string Id, string Outcome);

public sealed record SearchRequest(
    string Query,
    int Limit = 10,
    IReadOnlyList<string>? Tags = null,
    DateTimeOffset? OccurredAfter = null,
    DateTimeOffset? OccurredBefore = null,
    MemoryState? State = null,
    string? App = null);

public sealed record SearchHit(MemoryRecord Memory, double Score);

public sealed record ListRequest(
    string? Cursor = null,
    int Limit = 20,
    IReadOnlyList<string>? Tags = null,
    MemoryState? State = null,
    string? App = null);

public sealed record MemoryPage(IReadOnlyList<MemoryRecord> Items, string? NextCursor);

/// <summary>
/// Thrown for input an assistant got wrong (empty text, unknown id, bad cursor…). The message is shown to
/// the assistant verbatim, so it says what to fix. Nothing has been changed when it is thrown.
/// </summary>
public sealed class MemoryValidationException(string message) : Exception(message);

/// <summary>
/// The memory service. Every method is scoped to <see cref="MemoryCaller.UserId"/> inside its queries:
/// another user's memory behaves exactly like a missing one. Every read and write is written to the access log.
/// </summary>
public interface IMemoryService
{
    /// <summary>Adds 1–100 memories atomically (all or none); results in input order.</summary>
    Task<IReadOnlyList<AddOutcome>> AddAsync(MemoryCaller caller, IReadOnlyList<NewMemory> memories, CancellationToken cancellationToken = default);

    /// <summary>Ranked search; active memories unless <see cref="SearchRequest.State"/> says otherwise; never deleted ones.</summary>
    Task<IReadOnlyList<SearchHit>> SearchAsync(MemoryCaller caller, SearchRequest request, CancellationToken cancellationToken = default);

    /// <summary>Newest first, paged by an opaque cursor.</summary>
    Task<MemoryPage> ListAsync(MemoryCaller caller, ListRequest request, CancellationToken cancellationToken = default);

    /// <summary>Null when missing, deleted or someone else's.</summary>
    Task<MemoryRecord?> GetAsync(MemoryCaller caller, string id, CancellationToken cancellationToken = default);

    /// <summary>Changes text and/or state, keeping the previous version in history. Throws <see cref="MemoryValidationException"/> for unknown ids.</summary>
    Task<MemoryRecord> UpdateAsync(MemoryCaller caller, string id, string? text, MemoryState? state, CancellationToken cancellationToken = default);

    /// <summary>Soft-deletes all the given ids or, if any is unknown, none of them (throws <see cref="MemoryValidationException"/>).</summary>
    Task<int> DeleteAsync(MemoryCaller caller, IReadOnlyList<string> ids, CancellationToken cancellationToken = default);

    /// <summary>Soft-deletes every memory of the caller; returns how many.</summary>
    Task<int> DeleteAllAsync(MemoryCaller caller, CancellationToken cancellationToken = default);
}
