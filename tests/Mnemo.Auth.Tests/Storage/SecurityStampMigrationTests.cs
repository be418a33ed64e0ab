using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Mnemo.Auth.Storage;

namespace Mnemo.Auth.Tests.Storage;

// SQLite only: it migrates an SQLite database from a schema older than PostgreSQL support, which PostgreSQL never had.
[Trait("Provider", "Sqlite")]
public sealed class SecurityStampMigrationTests
{
    [Fact]
    public async Task Migration_GivesEveryExistingAccountItsOwnRandomStamp()
    {
        var directory = Directory.CreateTempSubdirectory("mnemo-stamp-migration-").FullName;
        var connectionString = $"Data Source={Path.Combine(directory, "auth.db")}";
        await using (var services = new ServiceCollection().AddMnemoAccounts(AuthTestDatabase.Configure(connectionString)).BuildServiceProvider())
        {
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AuthDbContext>();
            var migrator = db.GetService<IMigrator>();
            await migrator.MigrateAsync("20261127062641_OAuthServer"); // the schema before security stamps
            await db.Database.ExecuteSqlRawAsync(
                "INSERT INTO users (id, user_name, normalized_user_name, password_hash, disabled, created_at) VALUES " +
                "('u1', 'alice', 'ALICE', 'x', 0, '2026-01-01 00:00:00+00:00'), ('u2', 'bob', 'BOB', 'x', 0, '2026-01-01 00:00:00+00:00')");

            await migrator.MigrateAsync();

            var stamps = await db.Users.AsNoTracking().Select(u => u.SecurityStamp).ToListAsync();
            Assert.All(stamps, s => Assert.Matches("^[0-9a-f]{32}$", s));
            Assert.NotEqual(stamps[0], stamps[1]);
        }

        SqliteConnection.ClearAllPools();
        Directory.Delete(directory, recursive: true);
    }
}
