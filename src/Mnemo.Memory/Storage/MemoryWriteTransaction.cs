using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Mnemo.Memory.Storage;

/// <summary>
/// The transaction of every write to memories: one user's writes run one at a time, whichever process makes them.
/// Writers read before they write (the near-duplicate check reads the user's memories, an edit reads the old text for
/// history, a back-fill checks the vector is still missing), so two of them interleaved would each act on what the
/// other is about to change: two copies of one memory, history rows that both start from the same old text, a
/// duplicate key. On SQLite, <c>BEGIN</c> already takes the database's single write lock (Microsoft.Data.Sqlite begins
/// <c>IMMEDIATE</c>), so nothing is added. On PostgreSQL, which runs writers side by side, the transaction first takes
/// a transaction-scoped advisory lock per user (released by commit or rollback, also when the connection drops);
/// other users' writes go on.
/// </summary>
internal static class MemoryWriteTransaction
{
    // The two-key form of advisory locks: its key space never overlaps the one-key form (MaintenanceLock's back-fill
    // lock); the first key is "mnem" in ASCII, the second the user's hash. Two users sharing a hash only wait for each other.
    private const int LockSpace = 0x6D6E656D;

    /// <summary>Begins a transaction holding the write lock of every user in <paramref name="userIds"/>.</summary>
    public static async Task<IDbContextTransaction> BeginAsync(MemoryDbContext db, IEnumerable<string> userIds, CancellationToken ct)
    {
        var transaction = await db.Database.BeginTransactionAsync(ct);
        try
        {
            if (db.Database.IsNpgsql())
            {
                // Always taken in ascending order: two multi-user writers (back-fills) never wait for each other in a cycle.
                foreach (var key in userIds.Select(Key).Distinct().Order())
                {
                    await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({LockSpace}, {key})", ct);
                }
            }

            return transaction;
        }
        catch
        {
            await transaction.DisposeAsync();
            throw;
        }
    }

    /// <summary>Begins a transaction holding the write lock of <paramref name="userId"/>.</summary>
    public static Task<IDbContextTransaction> BeginAsync(MemoryDbContext db, string userId, CancellationToken ct) => BeginAsync(db, [userId], ct);

    /// <summary>The same number in every process (unlike <see cref="string.GetHashCode()"/>).</summary>
    private static int Key(string userId) => BitConverter.ToInt32(SHA256.HashData(Encoding.UTF8.GetBytes(userId)));
}
