using System.Data.Common;
using Npgsql;

namespace Mnemo.Storage.Postgres;

/// <summary>
/// A session-level PostgreSQL advisory lock held on its own connection, so one of several instances sharing a
/// database does a piece of work (the embedding back-fill) while the others skip it. The lock is released when this
/// is disposed, or by the server when the connection drops (a killed instance never holds it forever).
/// </summary>
public sealed class PostgresAdvisoryLock : IAsyncDisposable
{
    private readonly NpgsqlConnection _connection;
    private readonly long _key;

    private PostgresAdvisoryLock(NpgsqlConnection connection, long key)
    {
        _connection = connection;
        _key = key;
    }

    /// <summary>Takes the lock named <paramref name="key"/> if no other session holds it; null when one does.</summary>
    public static Task<PostgresAdvisoryLock?> TryAcquireAsync(string connectionString, long key, CancellationToken ct) =>
        LockAsync(connectionString, key, "SELECT pg_try_advisory_lock(@key)", ct);

    /// <summary>Takes the lock named <paramref name="key"/>, waiting while another session holds it.</summary>
    /// <remarks>
    /// pg_advisory_lock returns void, which is not NULL (<c>IS NULL</c> on it is false), so the row is selected from the
    /// call instead: one true once the lock is held.
    /// </remarks>
    public static async Task<PostgresAdvisoryLock> AcquireAsync(string connectionString, long key, CancellationToken ct) =>
        await LockAsync(connectionString, key, "SELECT true FROM pg_advisory_lock(@key)", ct)
            ?? throw new InvalidOperationException($"PostgreSQL did not confirm advisory lock {key}.");

    private static async Task<PostgresAdvisoryLock?> LockAsync(string connectionString, long key, string sql, CancellationToken ct)
    {
        // Not pooled: a pooled connection returned with the lock still held would keep it for whoever takes it next.
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        try
        {
            await connection.OpenAsync(ct);
            await using var command = new NpgsqlCommand(sql, connection);
            command.Parameters.AddWithValue("key", key);
            if (await command.ExecuteScalarAsync(ct) is true)
            {
                return new PostgresAdvisoryLock(connection, key);
            }
        }
        catch (DbException)
        {
            await connection.DisposeAsync();
            throw;
        }

        await connection.DisposeAsync();
        return null;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await using var command = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", _connection);
            command.Parameters.AddWithValue("key", _key);
            await command.ExecuteScalarAsync(CancellationToken.None);
        }
        catch (DbException)
        {
            // Closing the connection below releases it anyway.
        }

        await _connection.DisposeAsync();
    }
}
