using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Mnemo.Storage;
using Mnemo.Testing;

namespace Mnemo.Auth.Tests.Storage;

public sealed class AuthDatabaseTests
{
    [Fact]
    [Trait("Provider", "Sqlite")]
    public async Task Migrate_UsesItsOwnHistoryTableAndWriteAheadLogging()
    {
        await using var db = await AuthTestDatabase.CreateAsync();

        await using var connection = new SqliteConnection(db.Database.ConnectionString);
        await connection.OpenAsync();
        Assert.Equal("wal", await ScalarAsync(connection, "PRAGMA journal_mode;"));
        Assert.Equal(1L, await ScalarAsync(connection, "SELECT count(*) FROM sqlite_master WHERE name = '__EFMigrationsHistory_Auth'"));
        Assert.Equal(0L, await ScalarAsync(connection, "SELECT count(*) FROM sqlite_master WHERE name = '__EFMigrationsHistory'"));
        Assert.Equal(2L, await ScalarAsync(connection, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('users', 'api_keys')"));
    }

    [Fact]
    [Trait("Provider", "Postgres")]
    public async Task Migrate_OnPostgres_UsesItsOwnHistoryTable()
    {
        await using var db = await AuthTestDatabase.CreateAsync();

        var tables = await db.DbAsync(d => d.Database
            .SqlQueryRaw<string>("SELECT table_name AS \"Value\" FROM information_schema.tables WHERE table_schema = 'public'")
            .ToListAsync());
        Assert.Contains("__EFMigrationsHistory_Auth", tables);
        Assert.DoesNotContain("__EFMigrationsHistory", tables);
        Assert.Contains("users", tables);
        Assert.Contains("api_keys", tables);
    }

    [Fact]
    public async Task Migrate_IsIdempotent()
    {
        await using var db = await AuthTestDatabase.CreateAsync();

        await AuthDatabase.MigrateAsync(db.Services);

        Assert.Equal(0, await db.AccountsAsync(a => a.CountAsync()));
    }

    /// <summary>
    /// Instances starting at once on an empty database must end with one data-protection key: with one each, an
    /// instance could not read the OAuth server keys (or cookies) another one protected.
    /// </summary>
    [Fact]
    [Trait("Provider", "Postgres")]
    public async Task Migrate_ByInstancesStartingAtOnce_OnAnEmptyPostgresDatabase_LeavesOneSharedDataProtectionKey()
    {
        var connectionString = await TestPostgres.CreateDatabaseAsync();
        try
        {
            var instances = Enumerable.Range(0, 4)
                .Select(_ => new ServiceCollection()
                    .AddMnemoAccounts(AuthTestDatabase.Configure(DatabaseConnection.Postgres(connectionString)))
                    .BuildServiceProvider())
                .ToList();
            try
            {
                await Task.WhenAll(instances.Select(i => AuthDatabase.MigrateAsync(i)));

                await using var scope = instances[0].CreateAsyncScope();
                var keys = await scope.ServiceProvider.GetRequiredService<Mnemo.Auth.Storage.AuthDbContext>().DataProtectionKeys.CountAsync();
                Assert.Equal(1, keys);
            }
            finally
            {
                foreach (var instance in instances)
                {
                    await instance.DisposeAsync();
                }
            }
        }
        finally
        {
            await TestPostgres.DropDatabaseAsync(connectionString);
        }
    }

    private static async Task<object?> ScalarAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }
}
