using Microsoft.EntityFrameworkCore;
using Mnemo.Memory.Search;
using Mnemo.Memory.Storage;

namespace Mnemo.Memory.Memories;

/// <summary>Operator-only actions (CLI). Unlike delete_all, a purge erases the rows themselves, history and access log included.</summary>
internal sealed class MemoryAdministration(IDbContextFactory<MemoryDbContext> contextFactory, IKeywordIndex keywordIndex, VectorIndex vectorIndex) : IMemoryAdministration
{
    public async Task<int> PurgeUserAsync(string userId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.Embeddings.Where(e => e.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        var memories = db.Memories.Where(m => m.UserId == userId);
        await db.Tags.Where(t => memories.Any(m => m.Id == t.MemoryId)).ExecuteDeleteAsync(cancellationToken);
        await db.History.Where(h => memories.Any(m => m.Id == h.MemoryId)).ExecuteDeleteAsync(cancellationToken);
        var count = await memories.ExecuteDeleteAsync(cancellationToken);
        await db.AccessLog.Where(a => a.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        // A server running on the same database drops the user's keyword index at its next search.
        await keywordIndex.RecordResetAsync(db, userId, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        vectorIndex.ForgetUser(userId);
        return count;
    }
}
