using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Mnemo.Memory.Storage;

/// <summary>
/// Sets SQLite's <c>busy_timeout</c> on every opened connection, so that a second process (the CLI next to a
/// running server) waits for the write lock instead of failing at once with "database is locked". Also resets
/// <c>synchronous</c> to FULL on every open: a pooled connection may come back from a read's access-log write, which
/// lowers it for that one commit (<see cref="MemoryDbContextExtensions.SaveAccessLogAsync"/>), and a memory write must
/// never inherit that.
/// </summary>
internal sealed class SqliteBusyTimeoutInterceptor(TimeSpan timeout) : DbConnectionInterceptor
{
    private static readonly ConcurrentDictionary<TimeSpan, SqliteBusyTimeoutInterceptor> Instances = new();

    /// <summary>One instance per timeout: EF builds (slowly) a new internal service provider for every distinct interceptor instance.</summary>
    public static SqliteBusyTimeoutInterceptor For(TimeSpan timeout) => Instances.GetOrAdd(timeout, t => new SqliteBusyTimeoutInterceptor(t));

    private readonly string _pragma = $"PRAGMA busy_timeout = {(long)timeout.TotalMilliseconds}; PRAGMA synchronous = FULL;";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var command = connection.CreateCommand();
        command.CommandText = _pragma;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = _pragma;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
