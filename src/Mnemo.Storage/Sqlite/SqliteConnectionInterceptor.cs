using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Mnemo.Storage.Sqlite;

/// <summary>
/// The one set of connection rules for every module that opens Mnemo's SQLite file (auth and memory share the file
/// and, through pooling, the connections). On every open:
/// <list type="bullet">
/// <item><c>busy_timeout</c>, so a second process (the CLI next to a running server) waits for the write lock instead
/// of failing at once with "database is locked";</item>
/// <item><c>synchronous = FULL</c>, so every commit is durable when acknowledged. A read's access-log commit may lower
/// it for that one commit (and puts it back), but a pooled connection must never carry NORMAL into a token rotation,
/// a revocation or a memory write, whichever module opens it next.</item>
/// </list>
/// </summary>
public sealed class SqliteConnectionInterceptor : DbConnectionInterceptor
{
    public static readonly TimeSpan DefaultBusyTimeout = TimeSpan.FromSeconds(10);

    private static readonly ConcurrentDictionary<TimeSpan, SqliteConnectionInterceptor> Instances = new();

    private readonly string _pragma;

    private SqliteConnectionInterceptor(TimeSpan busyTimeout) =>
        _pragma = $"PRAGMA busy_timeout = {(long)busyTimeout.TotalMilliseconds}; PRAGMA synchronous = FULL;";

    /// <summary>One instance per timeout: EF builds (slowly) a new internal service provider for every distinct interceptor instance.</summary>
    public static SqliteConnectionInterceptor For(TimeSpan busyTimeout) => Instances.GetOrAdd(busyTimeout, t => new SqliteConnectionInterceptor(t));

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        if (connection is SqliteConnection)
        {
            using var command = connection.CreateCommand();
            command.CommandText = _pragma;
            command.ExecuteNonQuery();
        }
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (connection is SqliteConnection)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = _pragma;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}
