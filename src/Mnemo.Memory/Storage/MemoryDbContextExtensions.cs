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
    /// Commits a batch of reads' access-log rows (<see cref="AccessLogWriter"/>) in one transaction without waiting for
    /// the disk. These rows are not acknowledged memories: a committed batch survives a process crash (its WAL frames
    /// are already in the OS) but may be lost with the last moments before a power failure, like the rows still queued
    /// in the writer; in exchange a batch does not pay an fsync.
    /// SQLite keeps the database consistent either way, and the next FULL commit (any memory write) syncs these frames
    /// too. Memory writes never come here: they commit with <c>synchronous=FULL</c>, which
    /// <see cref="SqliteConnectionInterceptor"/> sets on a connection's first open and this method puts back right after
    /// its commit (and, having seen a PRAGMA on it, sets again on its next open), so the pooled connection never carries NORMAL
    /// into the next module's write. On PostgreSQL this is a
    /// plain commit, durable by the server's configuration.
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
