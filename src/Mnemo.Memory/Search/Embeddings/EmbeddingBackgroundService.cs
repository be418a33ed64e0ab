using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Mnemo.Memory.Search.Embeddings;

/// <summary>
/// Loads the embedding model after start-up (never blocking it), then back-fills vectors of memories stored
/// without one (written while the model was loading, or before a kill -9).
/// </summary>
internal sealed partial class EmbeddingBackgroundService(IEmbeddingService embeddings, MemoryIndexer indexer, ILogger<EmbeddingBackgroundService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Let the host finish starting first: BackgroundService runs synchronously until the first await.
        await Task.Yield();
        await embeddings.LoadAsync(stoppingToken);
        if (!embeddings.IsEnabled)
        {
            return;
        }

        // At start-up, then now and then: a memory acknowledged while the model was loading may commit after a pass.
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(5));
        do
        {
            try
            {
                await indexer.BackfillAsync(all: false, progress: null, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogBackfillFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Back-filling vectors failed; search works, memories without vectors are found by keyword only.")]
    private static partial void LogBackfillFailed(ILogger logger, Exception exception);
}
