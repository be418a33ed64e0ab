using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mnemo.Memory.Storage;

/// <summary>
/// Writes the access-log rows of reads (search, list, get) behind the read. A read used to commit its row in a
/// transaction of its own; under concurrent reads that commit was a fifth of the server's CPU, and on SQLite the commits
/// queued on the single write lock. Now a read queues its row and returns; one loop commits everything queued in one
/// transaction, at most every <see cref="MemoryAccessLogOptions.FlushMilliseconds"/>.
/// <para>
/// Nothing queued is dropped: the queue is bounded and a full queue makes the read wait (only when the database has
/// been unreachable long enough to fill it); a failed batch is retried until it commits; a flush
/// (<see cref="FlushAsync"/>, the host's <see cref="AccessLogFlushService"/> at shutdown, disposal) writes what is
/// queued. Only a crash loses rows, at most the last interval's and one batch in flight: these rows are a record of
/// reads, not acknowledged writes. Writes never come here; their row commits inside their own transaction.
/// </para>
/// </summary>
internal sealed partial class AccessLogWriter : IAsyncDisposable, IDisposable
{
    /// <summary>
    /// How many rows may wait. A row is about 1–2 KB in memory with the default limits (10 or 20 ids) and up to ~8 KB
    /// at 100 ids, so a full queue holds some 100–200 MB (at worst ~800 MB). It fills only while commits fail and reads
    /// still succeed (a full disk, a write lock held for long), at ~1,000 reads a second after a minute or more; then
    /// reads wait for room instead of rows being dropped.
    /// </summary>
    internal const int Capacity = 100_000;

    /// <summary>At most this many rows per transaction, so a backlog after an outage commits in bounded pieces.</summary>
    internal const int MaxBatch = 10_000;

    /// <summary>How long disposal keeps retrying a failing database before it gives up on the rows (and says so in the log).</summary>
    internal static readonly TimeSpan DisposeTimeout = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);

    private readonly Func<MemoryDbContext> _createContext;
    private readonly ILogger<AccessLogWriter> _logger;
    private readonly TimeSpan _interval;
    private readonly Channel<MemoryAccessLogEntity> _queue = Channel.CreateBounded<MemoryAccessLogEntity>(
        new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true });

    // Guards _enqueued together with the channel write, so the n-th row counted is the n-th row in the queue: a flush
    // waits for a count, and that count is exactly the rows queued before it was taken.
    private readonly Lock _gate = new();

    // Released to cut the loop's wait short (a flush, disposal); a stale release only makes the loop look again.
    private readonly SemaphoreSlim _nudge = new(0);

    // Cancelled when disposal gives up on a database that stays unreachable: the loop stops retrying.
    private readonly CancellationTokenSource _abandon = new();

    // Completed and replaced after every commit; flushes wait on it.
    private TaskCompletionSource _committed = NewSignal();
    private Task? _loop;
    private bool _disposed;
    private long _enqueued;
    private long _written;
    private long _wanted;
    private long _batches;
    private int _fullReported;

    public AccessLogWriter(MemoryStorage storage, IOptions<MemoryOptions> options, ILogger<AccessLogWriter> logger)
    {
        // Not the registered context factory: disposal flushes while the service provider is being disposed, and its
        // contexts resolve services from that provider.
        _createContext = storage.DetachedContexts(options.Value.BusyTimeout);
        _logger = logger;
        _interval = TimeSpan.FromMilliseconds(options.Value.AccessLog.FlushMilliseconds);
    }

    /// <summary>Rows committed so far (tests).</summary>
    internal long Written => Volatile.Read(ref _written);

    /// <summary>Transactions committed so far (tests: batching means fewer of them than rows).</summary>
    internal long Batches => Volatile.Read(ref _batches);

    /// <summary>
    /// Queues a read's row. Returns at once unless the queue is full, then waits for room. The loop starts with the first
    /// row, so this works with or without a host (the CLI and tests build the service without running hosted services).
    /// </summary>
    public ValueTask EnqueueAsync(MemoryAccessLogEntity entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _loop ??= Task.Run(RunAsync, CancellationToken.None);
            if (_queue.Writer.TryWrite(entry))
            {
                _enqueued++;
                return ValueTask.CompletedTask;
            }
        }

        return EnqueueWhenRoomAsync(entry, cancellationToken);
    }

    /// <summary>Returns once every row queued before the call is committed. Cancelling stops the wait, never the writing.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        long target;
        Task? loop;
        lock (_gate)
        {
            target = _enqueued;
            loop = _loop;
        }

        if (loop is null || Written >= target)
        {
            return;
        }

        // Tell the loop someone waits for these rows, so it skips the rest of its interval.
        RaiseWanted(target);
        _nudge.Release();
        while (true)
        {
            // Read the signal before the count: a commit between the two completes this signal, so no commit is missed.
            var committed = Volatile.Read(ref _committed);
            if (Written >= target)
            {
                return;
            }

            if (loop.IsCompleted)
            {
                throw new InvalidOperationException("The access-log writer stopped before these rows were written (the database stayed unreachable; see the log).");
            }

            await Task.WhenAny(committed.Task, loop).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Writes everything queued (retrying for up to <see cref="DisposeTimeout"/>), then stops the loop.</summary>
    public async ValueTask DisposeAsync()
    {
        Task? loop;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            // The loop drains what is queued, then sees the end of the queue and stops.
            _queue.Writer.TryComplete();
            loop = _loop;
        }

        if (loop is null)
        {
            return;
        }

        RaiseWanted(long.MaxValue);
        _nudge.Release();
        try
        {
            await loop.WaitAsync(DisposeTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Shutdown cannot wait forever for a database that is gone; the loop logs how many rows it could not write.
            await _abandon.CancelAsync().ConfigureAwait(false);
        }
    }

    /// <summary>For a service provider disposed synchronously (<c>using</c>): the same flush, waited for.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private async ValueTask EnqueueWhenRoomAsync(MemoryAccessLogEntity entry, CancellationToken cancellationToken)
    {
        // Once per spell of a full queue (reset by the next commit), not once per waiting read.
        if (Interlocked.Exchange(ref _fullReported, 1) == 0)
        {
            LogQueueFull(_logger, Capacity);
        }

        while (await _queue.Writer.WaitToWriteAsync(cancellationToken).ConfigureAwait(false))
        {
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                if (_queue.Writer.TryWrite(entry))
                {
                    _enqueued++;
                    return;
                }
            }
        }

        throw new ObjectDisposedException(nameof(AccessLogWriter));
    }

    private async Task RunAsync()
    {
        var reader = _queue.Reader;
        var batch = new List<MemoryAccessLogEntity>();
        // The first row after a quiet spell is written at once; rows arriving while a batch waits or commits join the next.
        var lastCommit = Stopwatch.GetTimestamp() - (long)(_interval.TotalSeconds * Stopwatch.Frequency);
        try
        {
            // False once disposal has completed the queue and it is empty.
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                await WaitForIntervalAsync(lastCommit).ConfigureAwait(false);
                batch.Clear();
                lastCommit = Stopwatch.GetTimestamp();
                await WriteUntilCommittedAsync(batch).ConfigureAwait(false);
                Interlocked.Add(ref _written, batch.Count);
                Interlocked.Increment(ref _batches);
                Interlocked.Exchange(ref _committed, NewSignal()).SetResult();
                Volatile.Write(ref _fullReported, 0);
            }
        }
        catch (OperationCanceledException) when (_abandon.IsCancellationRequested)
        {
            LogAbandoned(_logger, batch.Count + reader.Count);
        }
    }

    /// <summary>Waits until <see cref="_interval"/> after the last commit began, or less when a flush waits for rows.</summary>
    private async Task WaitForIntervalAsync(long lastCommit)
    {
        while (Volatile.Read(ref _wanted) <= Written)
        {
            var left = _interval - Stopwatch.GetElapsedTime(lastCommit);
            if (left <= TimeSpan.Zero)
            {
                return;
            }

            await _nudge.WaitAsync(left).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Takes what is queued into <paramref name="batch"/> and commits it in one transaction, retrying with a growing
    /// pause until it does: a row is never dropped because the database was briefly locked, full or unreachable. Rows
    /// queued meanwhile join the batch at each attempt (in queue order), so a backlog commits in few transactions. Only
    /// disposal giving up ends the retries.
    /// </summary>
    private async Task WriteUntilCommittedAsync(List<MemoryAccessLogEntity> batch)
    {
        var delay = FirstRetryDelay;
        for (var failures = 0; ; failures++)
        {
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var entry))
            {
                batch.Add(entry);
            }

            try
            {
                // The commit itself is never cancelled: once started, it finishes (or fails and is retried).
                await using var db = _createContext();
                // Copies, so that every attempt inserts fresh rows: a failed attempt may have set ids on what it tracked.
                db.AccessLog.AddRange(batch.Select(Copy));
                await db.SaveAccessLogAsync(CancellationToken.None).ConfigureAwait(false);
                if (failures > 0)
                {
                    LogRecovered(_logger, batch.Count, failures);
                }

                return;
            }
            catch (Exception e)
            {
                if (_abandon.IsCancellationRequested)
                {
                    throw new OperationCanceledException("Disposal gave up on the access log.", e, _abandon.Token);
                }

                // The exception carries the provider's message about the table or the rows' keys; these rows hold ids
                // and names, never memory text.
                LogWriteFailed(_logger, e, batch.Count, _queue.Reader.Count, delay);
            }

            await Task.Delay(delay, _abandon.Token).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
        }
    }

    private void RaiseWanted(long target)
    {
        var current = Volatile.Read(ref _wanted);
        while (current < target)
        {
            var seen = Interlocked.CompareExchange(ref _wanted, target, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    private static MemoryAccessLogEntity Copy(MemoryAccessLogEntity entry) => new()
    {
        UserId = entry.UserId,
        App = entry.App,
        Action = entry.Action,
        MemoryIds = entry.MemoryIds,
        At = entry.At,
    };

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing {Count} access-log rows of reads failed ({Queued} more queued); retrying in {Delay}. Nothing is dropped; reads go on.")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception, int count, int queued, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Information, Message = "Wrote {Count} access-log rows of reads after {Failures} failed attempts.")]
    private static partial void LogRecovered(ILogger logger, int count, int failures);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The access-log queue is full ({Capacity} rows): reads wait until the database takes rows again.")]
    private static partial void LogQueueFull(ILogger logger, int capacity);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Count} access-log rows of reads were not written: the database stayed unreachable through shutdown.")]
    private static partial void LogAbandoned(ILogger logger, int count);
}
