using Mnemo.Memory.Search.Keyword;
using Mnemo.Memory.Search.Vectors;

namespace Mnemo.Memory.Search;

/// <summary>
/// Both in-memory indexes of one user, at one position of the change feed: every change up to <see cref="Position"/>
/// is in both. The vectors are loaded only once a search needs them with a model loaded (null before), and from then
/// on follow the same feed as the keywords: a memory deleted, archived or re-embedded by any process leaves or changes
/// both at the same catch-up. Not thread-safe: <see cref="UserIndexCache"/> lets one caller at a time in.
/// </summary>
internal sealed class UserSearchIndex(UserKeywordIndex keyword, long position)
{
    public UserKeywordIndex Keyword { get; } = keyword;

    public VectorSet? Vectors { get; private set; }

    /// <summary>The model <see cref="Vectors"/> were stored under (a vector of another model is never compared).</summary>
    public string? VectorModel { get; private set; }

    public long Position { get; private set; } = position;

    /// <summary>Replaces the vectors with a full load read at or after <see cref="Position"/> (the feed replays what came since).</summary>
    public void LoadVectors(string model, int dimensions, IReadOnlyList<StoredVectors> rows)
    {
        var vectors = new VectorSet(dimensions);
        foreach (var row in rows)
        {
            Upsert(vectors, row);
        }

        Vectors = vectors;
        VectorModel = model;
    }

    /// <summary>
    /// Applies changes up to <paramref name="position"/>: each changed memory leaves both indexes, then comes back as
    /// it is now if it is still live (<paramref name="documents"/>, <paramref name="vectors"/>: its current rows).
    /// </summary>
    public void Apply(IReadOnlyList<string> changed, IReadOnlyList<KeywordDocument> documents, IReadOnlyList<StoredVectors> vectors, long position)
    {
        foreach (var id in changed)
        {
            // Deleted, purged or (never) another user's: gone from this user's indexes.
            Keyword.Remove(id);
            Vectors?.Remove(id);
        }

        foreach (var document in documents)
        {
            Keyword.Upsert(document);
        }

        if (Vectors is { } set)
        {
            foreach (var row in vectors)
            {
                Upsert(set, row);
            }
        }

        Position = position;
    }

    /// <summary>Nothing changed up to <paramref name="position"/> (on PostgreSQL the horizon moves on without changes).</summary>
    public void MoveTo(long position) => Position = position;

    private static void Upsert(VectorSet set, StoredVectors row) =>
        set.Upsert(
            row.MemoryId,
            row.Facts,
            VectorCodec.Decode(row.TextVectors),
            row.ContextVector is null ? ReadOnlySpan<float>.Empty : VectorCodec.Decode(row.ContextVector));
}
