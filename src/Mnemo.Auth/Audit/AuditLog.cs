using System.Collections.Concurrent;
using System.Net;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mnemo.Auth.Storage;
using Mnemo.Storage.Text;

namespace Mnemo.Auth.Audit;

/// <summary>
/// The audit writer: a bounded queue drained by one background task that inserts each batch in one transaction.
/// Requests pay for an enqueue, not for a commit (SQLite commits with <c>synchronous = FULL</c> wait for the disk), and
/// a flood of events becomes a few large commits instead of one fsync each. It owns its database options rather than
/// borrowing a scope, so events queued by the CLI are still written while its service provider is being disposed.
/// What is lost: events queued when the process is killed, and events past <see cref="Capacity"/> while the database
/// is stuck (counted and logged).
/// </summary>
internal sealed class AuditLog : IAuditLog, IAsyncDisposable, IDisposable
{
    /// <summary>Longest client id kept (metadata-document URLs can be long; an unauthenticated request can send anything).</summary>
    public const int MaxClientIdLength = 512;

    public const int MaxDetailLength = 200;

    /// <summary>Events waiting at most; more are dropped (and counted) rather than held in memory without bound.</summary>
    internal const int Capacity = 10_000;

    private const int BatchSize = 500;

    private static readonly TimeSpan RateLimitedWindow = TimeSpan.FromMinutes(1);
    private const int MaxRateLimitedKeys = 10_000;

    private readonly Func<AuthDbContext> _database;
    private readonly TimeProvider _time;
    private readonly ILogger<AuditLog> _logger;
    private readonly IHttpContextAccessor? _http;
    private readonly Channel<AuditEventRecord> _queue = Channel.CreateBounded<AuditEventRecord>(
        new BoundedChannelOptions(Capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite });

    private readonly Lock _gate = new();
    private readonly List<(long Target, TaskCompletionSource Done)> _waiters = [];
    private readonly ConcurrentDictionary<string, DateTimeOffset> _rateLimited = new(StringComparer.Ordinal);
    private readonly Task _writer;
    private long _queued;
    private long _done;
    private long _dropped;

    public AuditLog(IOptions<MnemoAuthOptions> options, TimeProvider time, ILogger<AuditLog> logger, IHttpContextAccessor? http = null)
    {
        _database = AuthDbContextSetup.Factory(options.Value.Storage!);
        _time = time;
        _logger = logger;
        _http = http;
        _writer = Task.Run(WriteAsync);
    }

    public void Record(AuditEventKind kind, string? userId = null, string? clientId = null, string? detail = null)
    {
        try
        {
            var now = _time.GetUtcNow();
            var record = new AuditEventRecord
            {
                OccurredAt = now,
                Kind = AuditEventKinds.Name(kind),
                UserId = userId is { Length: > 64 } ? userId[..64] : userId,
                ClientId = ClientText.Clean(clientId, MaxClientIdLength),
                ClientIp = ClientIp(),
                Detail = ClientText.Clean(detail, MaxDetailLength),
            };
            if (kind == AuditEventKind.RateLimited && !FirstInWindow(record, now))
            {
                return;
            }

            lock (_gate)
            {
                // Counted under the same lock as the enqueue, so a flush waits for exactly what was queued before it.
                if (_queue.Writer.TryWrite(record))
                {
                    _queued++;
                }
                else
                {
                    Interlocked.Increment(ref _dropped);
                }
            }
        }
        catch (Exception e)
        {
            // Auditing must never fail the request it describes (a sign-in, a token): log and go on.
            AuthLog.AuditRecordFailed(_logger, e);
        }
    }

    public Task FlushAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (Volatile.Read(ref _done) >= _queued || _writer.IsCompleted)
            {
                return Task.CompletedTask;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((_queued, done));
            return done.Task.WaitAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        try
        {
            await _writer.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
            AuthLog.AuditEventsLost(_logger, _queue.Reader.Count);
        }
    }

    public void Dispose()
    {
        _queue.Writer.TryComplete();
        if (!_writer.Wait(TimeSpan.FromSeconds(10)))
        {
            AuthLog.AuditEventsLost(_logger, _queue.Reader.Count);
        }
    }

    private async Task WriteAsync()
    {
        List<AuditEventRecord> batch = new(BatchSize);
        while (await _queue.Reader.WaitToReadAsync())
        {
            while (batch.Count < BatchSize && _queue.Reader.TryRead(out var record))
            {
                batch.Add(record);
            }

            try
            {
                await using var db = _database();
                db.AuditEvents.AddRange(batch);
                await db.SaveChangesAsync();
            }
            catch (Exception e)
            {
                AuthLog.AuditWriteFailed(_logger, batch.Count, e);
            }

            Completed(batch.Count);
            batch.Clear();
            if (Interlocked.Exchange(ref _dropped, 0) is > 0 and var dropped)
            {
                AuthLog.AuditEventsLost(_logger, (int)dropped);
            }
        }
    }

    private void Completed(int count)
    {
        lock (_gate)
        {
            var done = Interlocked.Add(ref _done, count);
            _waiters.RemoveAll(w =>
            {
                if (w.Target > done)
                {
                    return false;
                }

                w.Done.TrySetResult();
                return true;
            });
        }
    }

    /// <summary>
    /// Whether this is the first such refusal this minute. A client hammering a limit is one fact per minute, not one row
    /// per request: the rate limiter exists to bound load, and its audit must not undo that by growing the table.
    /// </summary>
    private bool FirstInWindow(AuditEventRecord record, DateTimeOffset now)
    {
        if (_rateLimited.Count > MaxRateLimitedKeys)
        {
            _rateLimited.Clear();
        }

        var key = string.Join('\u001f', record.ClientIp, record.UserId, record.ClientId, record.Detail);
        var first = true;
        _rateLimited.AddOrUpdate(key, now, (_, last) =>
        {
            first = now - last >= RateLimitedWindow;
            return first ? now : last;
        });
        return first;
    }

    private string? ClientIp()
    {
        if (_http?.HttpContext?.Connection.RemoteIpAddress is not { } address)
        {
            return null;
        }

        return (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();
    }
}
