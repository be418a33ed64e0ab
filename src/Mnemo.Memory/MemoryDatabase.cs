using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Mnemo.Memory.Search;
using Mnemo.Memory.Search.Embeddings;
using Mnemo.Memory.Storage;

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
