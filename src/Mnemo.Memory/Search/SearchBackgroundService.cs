using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mnemo.Memory.Search.Embeddings;
using Mnemo.Memory.Storage;

namespace Mnemo.Memory.Search;

/// <summary>
/// The search side's start-up work, in the background so start-up never waits for it: loads the embedding model;
/// meanwhile loads the keyword indexes of the most recently active users (<see cref="MemorySearchOptions.WarmUpUsers"/>),
/// then their vectors, so their first search after a restart does not pay for the load (~1–3 s at 100k memories);
/// then, every 5 minutes, back-fills vectors of memories stored without one (written while the model was loading,
/// before a kill -9, or under another model) and frees the indexes of users idle for
/// <see cref="MemorySearchOptions.IndexIdleLifetime"/>.
/// </summary>
internal sealed partial class SearchBackgroundService(
    IEmbeddingService embeddings,
    VectorBackfill backfiller,
    SearchIndex search,
    IDbContextFactory<MemoryDbContext> contextFactory,
    BackfillProgress backfill,
    MaintenanceLock maintenance,
    IOptions<MemoryOptions> options,
    ILogger<SearchBackgroundService> logger) : BackgroundService
{
    private readonly TaskCompletionSource _warmedUp = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the start-up warm-up is over (also when it failed or had nothing to do).</summary>
    internal Task WarmedUp => _warmedUp.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Let the host finish starting first: BackgroundService runs synchronously until the first await.
        await Task.Yield();
        var loading = embeddings.LoadAsync(stoppingToken);
        try
        {
            var users = await RecentUsersAsync(stoppingToken);
            await WarmUpAsync(users, withVectors: false, stoppingToken);
            await loading;
            if (embeddings.IsEnabled)
            {
                await WarmUpAsync(users, withVectors: true, stoppingToken);
            }
        }
        finally
        {
            _warmedUp.TrySetResult();
        }

        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(5));
        do
        {
            // At start-up, then now and then: a memory acknowledged while the model was loading may commit after a pass.
            if (embeddings.IsEnabled)
            {
                try
                {
                    // Several instances on one PostgreSQL database: one of them back-fills, the others skip the round.
                    await using var leader = await maintenance.TryBackfillAsync(stoppingToken);
                    if (leader is not null)
                    {
                        await backfiller.BackfillAsync(all: false, backfill, stoppingToken);
                    }
                    else
                    {
                        LogBackfillElsewhere(logger);
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogBackfillFailed(logger, e);
                }
                finally
                {
                    backfill.Finished();
                }
            }

            EvictIdleIndexes();
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Frees the in-memory indexes of users idle for <see cref="MemorySearchOptions.IndexIdleLifetime"/>.</summary>
    internal int EvictIdleIndexes()
    {
        var idle = options.Value.Search.IndexIdleLifetime;
        if (idle <= TimeSpan.Zero)
        {
            return 0;
        }

        var evicted = search.EvictIdle(idle);
        if (evicted > 0)
        {
            LogEvicted(logger, evicted, idle);
        }

        return evicted;
    }

    /// <summary>The <see cref="MemorySearchOptions.WarmUpUsers"/> users who used Mnemo last; none if that cannot be read.</summary>
    private async Task<IReadOnlyList<string>> RecentUsersAsync(CancellationToken ct)
    {
        var count = options.Value.Search.WarmUpUsers;
        if (count == 0)
        {
            return [];
        }

        try
        {
            await using var db = await contextFactory.CreateDbContextAsync(ct);
            // The access log has a row for every call and an index on (user, time). Rows of reads are written behind,
            // up to Mnemo:Memory:AccessLog:FlushMilliseconds late (and flushed at shutdown), so a restart sees them.
            return await db.AccessLog.AsNoTracking()
                .GroupBy(a => a.UserId)
                .Select(g => new { UserId = g.Key, Last = g.Max(a => a.At) })
                .OrderByDescending(u => u.Last)
                .Take(count)
                .Select(u => u.UserId)
                .ToListAsync(ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogWarmUpFailed(logger, e);
            return [];
        }
    }

    private async Task WarmUpAsync(IReadOnlyList<string> users, bool withVectors, CancellationToken ct)
    {
        try
        {
            foreach (var user in users)
            {
                // One context per user: a search of another user goes on meanwhile, each index has its own lock.
                await using var db = await contextFactory.CreateDbContextAsync(ct);
                await search.WarmUpAsync(db, user, withVectors, ct);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Only a head start: a user's first search loads whatever was not loaded here.
            LogWarmUpFailed(logger, e);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Another instance is back-filling vectors; this one skips the round.")]
    private static partial void LogBackfillElsewhere(ILogger logger);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Freed the in-memory search indexes of {Count} users idle for {Idle}.")]
    private static partial void LogEvicted(ILogger logger, int count, TimeSpan idle);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Loading search indexes at start-up failed; each user's first search loads them instead.")]
    private static partial void LogWarmUpFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Back-filling vectors failed; search works, memories without vectors are found by keyword only.")]
    private static partial void LogBackfillFailed(ILogger logger, Exception exception);
}
