using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Mnemo.Memory.Search;
using Mnemo.Memory.Search.Embeddings;
using Mnemo.Memory.Storage;
using Mnemo.Storage.Copy;

namespace Mnemo.Memory;

/// <summary>Start-up and maintenance work on the memory database.</summary>
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
        await db.MigrateAsync(ct);
    }

    /// <summary>The rows in each of the module's tables (before its migrations ran, its tables count as absent).</summary>
    public static async Task<IReadOnlyList<TableRowCount>> CountRowsAsync(IServiceProvider services, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(services);
        await using var db = await services.GetRequiredService<IDbContextFactory<MemoryDbContext>>().CreateDbContextAsync(ct);
        return await DatabaseCopier.CountRowsAsync(db, ct);
    }

    /// <summary>
    /// Copies every table of the module (memories, tags, history, access log, embeddings, change feed) from the database
    /// of <paramref name="from"/> to the migrated, empty database of <paramref name="to"/> within <paramref name="copy"/>,
    /// keeping every id, and returns each table's row counts and checksums on both sides.
    /// </summary>
    /// <remarks>
    /// On PostgreSQL, <c>memory_changes.tx_id</c> is outside the EF model, so the copier does not write it: every copied
    /// row gets the copying transaction's id from the column's default. That is what the change feed needs: a server
    /// started on the copy loads each user's memories from the tables and reads the feed from the horizon it takes at
    /// start, which is past that transaction, so the copied rows never replay; their seq values only keep the order.
    /// </remarks>
    public static async Task<IReadOnlyList<TableVerification>> CopyAsync(IServiceProvider from, IServiceProvider to, DatabaseCopy copy, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        ArgumentNullException.ThrowIfNull(copy);
        await using var source = await from.GetRequiredService<IDbContextFactory<MemoryDbContext>>().CreateDbContextAsync(ct);
        await using var target = await to.GetRequiredService<IDbContextFactory<MemoryDbContext>>().CreateDbContextAsync(ct);
        return await copy.CopyAsync(source, target, ct);
    }

    /// <summary>
    /// Recomputes every memory's vectors with the configured model, e.g. after a model change (<c>mnemo reindex</c>);
    /// every process's indexes pick them up from the change feed. Loads the model first; throws <see cref="InvalidOperationException"/> with the reason
    /// when it cannot. Reports (done, total) to <paramref name="progress"/>. Returns how many memories were indexed.
    /// </summary>
    public static async Task<int> ReindexAsync(IServiceProvider services, IProgress<(int Done, int Total)>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(services);
        var embeddings = services.GetRequiredService<IEmbeddingService>();
        await embeddings.LoadAsync(ct);
        if (!embeddings.IsEnabled)
        {
            throw new InvalidOperationException(embeddings.Status.Reason ?? "The embedding model is not available.");
        }

        return await services.GetRequiredService<VectorBackfill>().BackfillAsync(all: true, progress, ct);
    }
}
