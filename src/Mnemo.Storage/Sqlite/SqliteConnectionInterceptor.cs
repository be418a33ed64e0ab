using System.Collections.Concurrent;
using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Mnemo.Storage.Sqlite;

/// <summary>
/// The one set of connection rules for every module that opens Mnemo's SQLite file (auth and memory share the file
/// and, through pooling, the connections). On every open:
/// <list type="bullet">
/// <item><c>busy_timeout</c>, so a second process (the CLI next to a running server) waits for the write lock instead
/// of failing at once with "database is locked";</item>
/// <item><c>synchronous = FULL</c>, so every commit is durable when acknowledged. A batch of reads' access-log rows may lower
/// it for that one commit (and puts it back), but a pooled connection must never carry NORMAL into a token rotation,
/// a revocation or a memory write, whichever module opens it next.</item>
/// </list>
/// Both settings live on the physical connection, which the pool keeps open between uses: a connection that already
/// carries this interceptor's settings is not sent them again (two statements prepared and run on every open were a
/// tenth of a small MCP call's CPU). Any <c>PRAGMA</c> sent through EF on a connection (the access-log commit's, or
/// anyone's) makes it forget, before the statement runs, so the next open of that connection sends the settings again
/// whatever the statement did and whether it was put back.
/// </summary>
public sealed class SqliteConnectionInterceptor : DbConnectionInterceptor, IDbCommandInterceptor
{
    public static readonly TimeSpan DefaultBusyTimeout = TimeSpan.FromSeconds(10);

    private static readonly ConcurrentDictionary<TimeSpan, SqliteConnectionInterceptor> Instances = new();

    // Physical connections (their sqlite3 handles, which outlive each pooled use) and the settings last sent to them.
    private static readonly ConditionalWeakTable<SQLitePCL.sqlite3, string> Configured = [];

    private readonly string _pragma;

    private SqliteConnectionInterceptor(TimeSpan busyTimeout) =>
        _pragma = $"PRAGMA busy_timeout = {(long)busyTimeout.TotalMilliseconds}; PRAGMA synchronous = FULL;";

    /// <summary>One instance per timeout: EF builds (slowly) a new internal service provider for every distinct interceptor instance.</summary>
    public static SqliteConnectionInterceptor For(TimeSpan busyTimeout) => Instances.GetOrAdd(busyTimeout, t => new SqliteConnectionInterceptor(t));

    /// <summary>The next open of this connection sends the settings again.</summary>
    public static void Forget(DbConnection connection)
    {
        if (connection is SqliteConnection { Handle: { } handle })
        {
            Configured.Remove(handle);
        }
    }

    private static void Remember(DbConnection connection, string pragma)
    {
        if (connection is SqliteConnection { Handle: { } handle })
        {
            Configured.AddOrUpdate(handle, pragma);
        }
    }

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        if (connection is SqliteConnection sqlite && !IsConfigured(sqlite))
        {
            using var command = connection.CreateCommand();
            command.CommandText = _pragma;
            command.ExecuteNonQuery();
            Remember(connection, _pragma);
        }
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (connection is SqliteConnection sqlite && !IsConfigured(sqlite))
        {
            await using var command = connection.CreateCommand();
            command.CommandText = _pragma;
            await command.ExecuteNonQueryAsync(cancellationToken);
            Remember(connection, _pragma);
        }
    }

    private bool IsConfigured(SqliteConnection connection) =>
        connection.Handle is { } handle && Configured.TryGetValue(handle, out var sent) && sent == _pragma;

    public InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    {
        ForgetIfPragma(command);
        return result;
    }

    public ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        ForgetIfPragma(command);
        return ValueTask.FromResult(result);
    }

    public InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        ForgetIfPragma(command);
        return result;
    }

    public ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        ForgetIfPragma(command);
        return ValueTask.FromResult(result);
    }

    public InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result)
    {
        ForgetIfPragma(command);
        return result;
    }

    public ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default)
    {
        ForgetIfPragma(command);
        return ValueTask.FromResult(result);
    }

    private static void ForgetIfPragma(DbCommand command)
    {
        if (command.Connection is { } connection && command.CommandText.Contains("PRAGMA", StringComparison.OrdinalIgnoreCase))
        {
            Forget(connection);
        }
    }
}
