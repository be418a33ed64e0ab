using System.Data;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Mnemo.Storage.Copy;

/// <summary>
/// One connection and one transaction on a database that several modules' contexts join (<see cref="JoinAsync"/>), so
/// that their work is one unit: on the target of a copy, every module's rows commit together or not at all (a failed or
/// mismatching copy leaves the target as empty as it was); on the source, every module reads one snapshot, so tables
/// that reference each other across modules agree even if something writes meanwhile.
/// </summary>
public sealed class SharedTransaction : IAsyncDisposable
{
    private readonly DbConnection _connection;
    private readonly DbTransaction _transaction;
    private bool _completed;

    private SharedTransaction(DbConnection connection, DbTransaction transaction)
    {
        _connection = connection;
        _transaction = transaction;
    }

    /// <param name="readOnly">
    /// A snapshot to read from: on SQLite a deferred transaction (it takes no write lock, so a running server can still
    /// write, and the reads see the file as it was at the first one); on PostgreSQL a repeatable-read one.
    /// </param>
    public static async Task<SharedTransaction> BeginAsync(DatabaseConnection database, bool readOnly, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(database);
        DbConnection connection = database.Provider switch
        {
            DatabaseProvider.Sqlite => new SqliteConnection(database.ConnectionString),
            DatabaseProvider.Postgres => new NpgsqlConnection(database.ConnectionString),
            _ => throw new InvalidOperationException($"Unknown database provider {database.Provider}."),
        };
        try
        {
            await connection.OpenAsync(ct);
            DbTransaction transaction;
            if (connection is SqliteConnection sqlite)
            {
                // What every context's connection gets (SqliteConnectionInterceptor): wait for a lock instead of failing.
                await using (var pragma = sqlite.CreateCommand())
                {
                    pragma.CommandText = $"PRAGMA busy_timeout = {(long)Sqlite.SqliteConnectionInterceptor.DefaultBusyTimeout.TotalMilliseconds};";
                    await pragma.ExecuteNonQueryAsync(ct);
                }

                transaction = sqlite.BeginTransaction(deferred: readOnly);
            }
            else
            {
                transaction = await connection.BeginTransactionAsync(readOnly ? IsolationLevel.RepeatableRead : IsolationLevel.ReadCommitted, ct);
            }

            return new SharedTransaction(connection, transaction);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Makes <paramref name="context"/> work on this connection, inside this transaction (before it opened a connection of its own).</summary>
    public async Task JoinAsync(DbContext context, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Database.SetDbConnection(_connection, contextOwnsConnection: false);
        await context.Database.UseTransactionAsync(_transaction, ct);
    }

    public async Task CommitAsync(CancellationToken ct)
    {
        await _transaction.CommitAsync(ct);
        _completed = true;
    }

    /// <summary>Rolls back unless committed.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_completed)
        {
            try
            {
                await _transaction.RollbackAsync();
            }
            catch (DbException)
            {
                // The connection broke: the server rolls back by itself.
            }
        }

        await _transaction.DisposeAsync();
        await _connection.DisposeAsync();
    }
}
