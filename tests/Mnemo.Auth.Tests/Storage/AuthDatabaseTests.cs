using Microsoft.Data.Sqlite;

namespace Mnemo.Auth.Tests.Storage;

public sealed class AuthDatabaseTests
{
    [Fact]
    public async Task Migrate_UsesItsOwnHistoryTableAndWriteAheadLogging()
    {
        await using var db = await AuthTestDatabase.CreateAsync();

        await using var connection = new SqliteConnection(db.ConnectionString);
        await connection.OpenAsync();
        Assert.Equal("wal", await ScalarAsync(connection, "PRAGMA journal_mode;"));
        Assert.Equal(1L, await ScalarAsync(connection, "SELECT count(*) FROM sqlite_master WHERE name = '__EFMigrationsHistory_Auth'"));
        Assert.Equal(0L, await ScalarAsync(connection, "SELECT count(*) FROM sqlite_master WHERE name = '__EFMigrationsHistory'"));
        Assert.Equal(2L, await ScalarAsync(connection, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('users', 'api_keys')"));
    }

    [Fact]
    public async Task Migrate_IsIdempotent()
    {
        await using var db = await AuthTestDatabase.CreateAsync();

        await AuthDatabase.MigrateAsync(db.Services);

        Assert.Equal(0, await db.AccountsAsync(a => a.CountAsync()));
    }

    private static async Task<object?> ScalarAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }
}
