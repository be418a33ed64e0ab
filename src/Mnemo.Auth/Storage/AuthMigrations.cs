using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Mnemo.Storage.Postgres;

namespace Mnemo.Auth.Storage;

/// <summary>
/// Applies the module's migrations, per provider. SQLite: write-ahead logging first, so readers never block the writer
/// and the CLI can work on the file while the server runs. PostgreSQL: several instances may start at once on an empty
/// database, and each would create its own data-protection key and protect the OAuth server keys with it, leaving the
/// others unable to read them; so the migration and the first use of the key ring run under one advisory lock, and
/// the first instance creates the key while the others find it.
/// </summary>
internal static class AuthMigrations
{
    public static async Task ApplyAsync(IServiceProvider services, bool startKeyRing, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AuthDbContext>();
        if (db.Database.IsSqlite())
        {
            // journal_mode is persistent in the file; an in-memory database answers "memory" and stays so.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
            await db.Database.MigrateAsync(cancellationToken);
            return;
        }

        await using (await PostgresAdvisoryLock.AcquireAsync(db.Database.GetConnectionString()!, StartupLockKey, cancellationToken))
        {
            await db.Database.MigrateAsync(cancellationToken);
            if (startKeyRing)
            {
                scope.ServiceProvider.GetService<IDataProtectionProvider>()?.CreateProtector("Mnemo.Auth.Startup").Protect([1]);
            }
        }
    }

    // "mnemo" in ASCII, then the lock's number (advisory lock keys are shared by every application on the database).
    private const long StartupLockKey = 0x6D6E656D6F_0002;
}
