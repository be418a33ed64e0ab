using Microsoft.EntityFrameworkCore;
using Mnemo.Memory.Storage.Postgres;

namespace Mnemo.Memory.Storage;

/// <summary>A row of the change feed: memory <see cref="MemoryId"/> changed (an empty id: all of the user's memories did).</summary>
internal readonly record struct FeedChange(long Seq, string MemoryId);

/// <summary>Changes read from the feed, in sequence order, and the position to read from next time.</summary>
internal sealed record FeedRead(IReadOnlyList<FeedChange> Changes, long Position);

/// <summary>
/// Reading the <c>memory_changes</c> feed from a position, per provider. A position is opaque to callers. On SQLite,
/// which runs one writer at a time, sequence order is commit order, so the position is the last sequence number read.
/// On PostgreSQL, sequence values are handed out before commit and a later number can commit first, so the position is
/// a transaction-id horizon (<see cref="PostgresChangeFeed"/>).
/// </summary>
internal static class ChangeFeed
{
    /// <summary>Where to read the user's changes from next, taken before the rows it goes with are read.</summary>
    public static async Task<long> PositionAsync(MemoryDbContext db, string userId, CancellationToken ct) =>
        db.Database.IsNpgsql()
            ? await PostgresChangeFeed.PositionAsync(db, ct)
            : await db.Changes.Where(c => c.UserId == userId).MaxAsync(c => (long?)c.Seq, ct) ?? 0;

    /// <summary>The user's changes since <paramref name="position"/>, in order, and the position after them.</summary>
    public static async Task<FeedRead> ReadAsync(MemoryDbContext db, string userId, long position, CancellationToken ct)
    {
        if (db.Database.IsNpgsql())
        {
            return await PostgresChangeFeed.ReadAsync(db, userId, position, ct);
        }

        var changes = await db.Changes.AsNoTracking()
            .Where(c => c.UserId == userId && c.Seq > position)
            .OrderBy(c => c.Seq)
            .Select(c => new FeedChange(c.Seq, c.MemoryId))
            .ToListAsync(ct);
        return new FeedRead(changes, changes.Count == 0 ? position : changes[^1].Seq);
    }
}
