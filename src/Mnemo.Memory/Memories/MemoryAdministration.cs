using Microsoft.EntityFrameworkCore;
using Mnemo.Memory.Search;
using Mnemo.Memory.Storage;

namespace Mnemo.Memory.Memories;

/// <summary>Operator-only actions (CLI). Unlike delete_all, a purge erases the rows themselves, history and access log included.</summary>
internal sealed class MemoryAdministration(IDbContextFactory<MemoryDbContext> contextFactory, SearchIndex search, AccessLogWriter accessLog) : IMemoryAdministration
{
    public async Task<int> PurgeUserAsync(string userId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        // Reads of this user still queued would otherwise be written after the purge, leaving rows of an erased user.
        // This covers this process's queue; see docs/security-model.md for a server running beside the CLI.
        await accessLog.FlushAsync(cancellationToken);
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await MemoryWriteTransaction.BeginAsync(db, userId, cancellationToken);
        // Vectors go first (they reference the memories); every process drops the user's indexes at its next search.
        await search.RecordResetAsync(db, userId, cancellationToken);
        var memories = db.Memories.Where(m => m.UserId == userId);
        await db.Tags.Where(t => memories.Any(m => m.Id == t.MemoryId)).ExecuteDeleteAsync(cancellationToken);
        await db.History.Where(h => memories.Any(m => m.Id == h.MemoryId)).ExecuteDeleteAsync(cancellationToken);
        var count = await memories.ExecuteDeleteAsync(cancellationToken);
        await db.AccessLog.Where(a => a.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return count;
    }
}
