using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Mnemo.Auth.Storage;

namespace Mnemo.Auth.Tests.Storage;

// SQLite only: it migrates an SQLite database from a schema older than PostgreSQL support, which PostgreSQL never had.
[Trait("Provider", "Sqlite")]
public sealed class ServerKeyRotationMigrationTests
{
    [Fact]
    public async Task Migration_KeepsExistingKeysActiveSinceTheyWereCreated()
    {
        var directory = Directory.CreateTempSubdirectory("mnemo-key-migration-").FullName;
        var connectionString = $"Data Source={Path.Combine(directory, "auth.db")}";
        await using (var services = new ServiceCollection().AddMnemoAccounts(AuthTestDatabase.Configure(connectionString)).BuildServiceProvider())
        {
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AuthDbContext>();
            var migrator = db.GetService<IMigrator>();
            await migrator.MigrateAsync("20261202100028_AccountSecurityStamp"); // the schema before rotation
            await db.Database.ExecuteSqlRawAsync(
                "INSERT INTO oauth_server_keys (id, use, protected_key, created_at) VALUES ('mnemo-sig-1', 'sig', 'x', '2026-03-04 05:06:07+00:00')");

            await migrator.MigrateAsync();

            var key = await db.ServerKeys.AsNoTracking().SingleAsync();
            Assert.Equal(new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.Zero), key.ActiveFrom);
        }

        SqliteConnection.ClearAllPools();
        Directory.Delete(directory, recursive: true);
    }
}
