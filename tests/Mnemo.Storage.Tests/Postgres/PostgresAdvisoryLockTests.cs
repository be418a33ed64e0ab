using Mnemo.Storage.Postgres;
using Mnemo.Testing;
using Npgsql;

namespace Mnemo.Storage.Tests.Postgres;

/// <summary>
/// The lock that lets one of several instances sharing a database do a piece of work. Advisory locks belong to a
/// database, so each test has its own: other tests (and other suites on the same server) never hold its keys.
/// </summary>
[Trait("Provider", "Postgres")]
public sealed class PostgresAdvisoryLockTests : IAsyncLifetime
{
    private const long Key = 0x6D6E656D6F_7E57;
    private string _database = null!;

    public async Task InitializeAsync() => _database = await TestPostgres.CreateDatabaseAsync();

    public async Task DisposeAsync() => await TestPostgres.DropDatabaseAsync(_database);

    [Fact]
    public async Task TryAcquire_WhileAnotherSessionHoldsTheLock_ReturnsNull_AndTakesItOnceReleased()
    {
        var held = await PostgresAdvisoryLock.TryAcquireAsync(_database, Key, default);
        Assert.NotNull(held);

        Assert.Null(await PostgresAdvisoryLock.TryAcquireAsync(_database, Key, default));
        await using (var otherKey = await PostgresAdvisoryLock.TryAcquireAsync(_database, Key + 1, default))
        {
            Assert.NotNull(otherKey);
        }

        await held.DisposeAsync();
        await using var taken = await PostgresAdvisoryLock.TryAcquireAsync(_database, Key, default);
        Assert.NotNull(taken);
    }

    [Fact]
    public async Task Acquire_WaitsWhileAnotherSessionHoldsTheLock_AndGetsItWhenReleased()
    {
        var held = (await PostgresAdvisoryLock.TryAcquireAsync(_database, Key, default))!;

        var waiting = PostgresAdvisoryLock.AcquireAsync(_database, Key, default);
        await WaitUntilAsync("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())");

        Assert.False(waiting.IsCompleted);
        await held.DisposeAsync();
        await using var taken = await waiting.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Lock_OfASessionThatDies_IsReleasedByTheServer()
    {
        // A killed instance's connection drops: the server ends its session, and the lock with it.
        var held = (await PostgresAdvisoryLock.TryAcquireAsync(_database, Key, default))!;
        Assert.Equal(1L, await ScalarAsync("""
            SELECT count(pg_terminate_backend(pid)) FROM pg_locks
            WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
            """));

        await using var taken = await RetryAsync(() => PostgresAdvisoryLock.TryAcquireAsync(_database, Key, default));

        // The dead holder can still be disposed (its unlock fails quietly: there is nothing left to release).
        await held.DisposeAsync();
        Assert.Null(await PostgresAdvisoryLock.TryAcquireAsync(_database, Key, default));
    }

    private async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task WaitUntilAsync(string countSql)
    {
        for (var i = 0; i < 300 && await ScalarAsync(countSql) == 0; i++)
        {
            await Task.Delay(100);
        }

        Assert.NotEqual(0L, await ScalarAsync(countSql));
    }

    /// <summary>The server ends a terminated session shortly after the signal, not at once.</summary>
    private static async Task<PostgresAdvisoryLock> RetryAsync(Func<Task<PostgresAdvisoryLock?>> attempt)
    {
        for (var i = 0; i < 100; i++)
        {
            if (await attempt() is { } taken)
            {
                return taken;
            }

            await Task.Delay(100);
        }

        throw new Xunit.Sdk.XunitException("The lock of the terminated session was never released.");
    }
}
