using Microsoft.EntityFrameworkCore;
using Mnemo.Storage.Sqlite;

namespace Mnemo.Memory.Storage;

internal static class MemoryDbContextExtensions
{
    /// <summary>Applies the provider's migrations; on SQLite also switches the file to write-ahead logging.</summary>
    public static async Task MigrateAsync(this MemoryDbContext db, CancellationToken ct)
    {
        await db.Database.MigrateAsync(ct);
        if (db.Database.IsSqlite())
        {
            // journal_mode is stored in the file: set once, it holds for every later connection and process.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
        }
    }

    /// <summary>
    /// Commits what a read added (its access-log entry) without waiting for the disk. A read's log entry is not an
    /// acknowledged memory: it may be lost with the last moments before a power failure (never with a process crash:
    /// the WAL frame is already in the OS), and in exchange a read does not pay an fsync (~1–2 ms, most of an MCP
    /// call's server time). SQLite keeps the database consistent either way, and the next FULL commit (any memory
    /// write) syncs these frames too. Memory writes never come here: they commit with <c>synchronous=FULL</c>, which
    /// <see cref="SqliteConnectionInterceptor"/> sets on every connection open and this method puts back right after
    /// its commit, so the pooled connection never carries NORMAL into the next module's write.
    /// </summary>
    public static async Task SaveAccessLogAsync(this MemoryDbContext db, CancellationToken ct)
    {
        if (db.Database.IsSqlite())
        {
            // The connection must stay open between the PRAGMA and the commit: a re-open would reset it to FULL.
            await db.Database.OpenConnectionAsync(ct);
            await db.Database.ExecuteSqlRawAsync("PRAGMA synchronous = NORMAL;", ct);
        }

        try
        {
            await db.SaveChangesAsync(ct);
        }
        finally
        {
            if (db.Database.IsSqlite())
            {
                // CancellationToken.None: the restore must run even when the caller gave up.
                await db.Database.ExecuteSqlRawAsync("PRAGMA synchronous = FULL;", CancellationToken.None);
                await db.Database.CloseConnectionAsync();
            }
        }
    }
}
