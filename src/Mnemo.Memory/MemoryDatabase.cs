using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Mnemo.Memory.Storage;

namespace Mnemo.Memory;

/// <summary>Start-up work on the memory database.</summary>
public static class MemoryDatabase
{
    /// <summary>
    /// Applies the memory module's migrations (safe to call from several processes: EF takes a migration lock)
    /// and switches SQLite to write-ahead logging, so readers never block the writer and a second process can share the file.
    /// </summary>
    public static async Task MigrateAsync(IServiceProvider services, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(services);
        var factory = services.GetRequiredService<IDbContextFactory<MemoryDbContext>>();
        await using var db = await factory.CreateDbContextAsync(ct);
        await db.Database.MigrateAsync(ct);
        if (db.Database.GetDbConnection() is SqliteConnection)
        {
            // journal_mode is stored in the file: set once, it holds for every later connection and process.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
        }
    }
}
