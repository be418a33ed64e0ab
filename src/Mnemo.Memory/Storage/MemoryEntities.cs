namespace Mnemo.Memory.Storage;

// EF entities: never leave this assembly (the wire shape is MemoryRecord). Times are UTC ticks (long):
// SQLite cannot order DateTimeOffset columns, and ticks order identically on every provider.

internal sealed class MemoryEntity
{
    public required string Id { get; set; }
    public required string UserId { get; set; }
    public required string Text { get; set; }
    public MemoryState State { get; set; }
    public string? App { get; set; }
    public long OccurredAt { get; set; }
    public long CreatedAt { get; set; }
    public long UpdatedAt { get; set; }

    /// <summary>Memories written by one add call share a batch id; <see cref="BatchIndex"/> is the input position (neighbours).</summary>
    public required string BatchId { get; set; }
    public int BatchIndex { get; set; }

    public List<MemoryTagEntity> Tags { get; set; } = [];
}

internal sealed class MemoryTagEntity
{
    public required string MemoryId { get; set; }
    public required string Tag { get; set; }
}

internal sealed class MemoryHistoryEntity
{
    public long Id { get; set; }
    public required string MemoryId { get; set; }
    public string? OldText { get; set; }
    public MemoryState? OldState { get; set; }
    public string? NewText { get; set; }
    public MemoryState? NewState { get; set; }
    public string? App { get; set; }
    public long At { get; set; }
}

internal sealed class MemoryAccessLogEntity
{
    public long Id { get; set; }
    public required string UserId { get; set; }
    public string? App { get; set; }
    public required string Action { get; set; }

    /// <summary>Ids the operation touched or returned, space-separated (empty when none).</summary>
    public required string MemoryIds { get; set; }
    public long At { get; set; }
}

/// <summary>
/// A memory's vectors under one model: <see cref="TextVectors"/> holds one unit vector per chunk of the text,
/// <see cref="ContextVector"/> (optional) the text read together with its neighbours. Floats, little-endian.
/// <see cref="Seq"/> grows with every write: vectors load in the order they were written, so ties in a scan break the
/// same way in every process. (What changed is told by <see cref="MemoryChangeEntity"/>, not by this number.)
/// </summary>
internal sealed class MemoryEmbeddingEntity
{
    public long Seq { get; set; }
    public required string MemoryId { get; set; }
    public required string UserId { get; set; }
    public required string Model { get; set; }
    public required byte[] TextVectors { get; set; }
    public byte[]? ContextVector { get; set; }
}

/// <summary>
/// The one change feed of both in-memory search indexes (keyword and vector): every write that adds, edits, re-states,
/// deletes or (re)computes the vectors of memories appends a row per memory in its own transaction, through
/// <c>SearchIndex</c>; an empty <see cref="MemoryId"/> means "reload all of this user's memories" (delete_all, purge).
/// SQLite runs one writer at a time, so <see cref="Seq"/> order is commit order and a process that has read up to a
/// sequence number has seen every earlier change (its own and other processes').
/// </summary>
internal sealed class MemoryChangeEntity
{
    public long Seq { get; set; }
    public required string UserId { get; set; }
    public required string MemoryId { get; set; }
}
