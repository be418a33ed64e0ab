using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Mnemo.Auth.Storage;
using Mnemo.Storage.Health;
using Mnemo.Storage.Postgres;

namespace Mnemo.Auth;

/// <summary>What a host does with the module's database: migrate it at start-up, and check it for readiness.</summary>
public static class AuthDatabase
{
    /// <summary>Adds a readiness check of the module's database: it answers and every auth migration is applied.</summary>
    public static IHealthChecksBuilder AddMnemoAuthDatabase(this IHealthChecksBuilder builder, string name = "accounts") =>
        builder.AddCheck<DatabaseHealthCheck<AuthDbContext>>(name);

    /// <summary>
    /// Applies the auth module's migrations (history in <c>__EFMigrationsHistory_Auth</c>). On SQLite
    /// it first switches the file to write-ahead logging, so readers never block the writer and the
    /// CLI can work on the file while the server runs.
    /// </summary>
    /// <remarks>
    /// On PostgreSQL, several instances may start at once on an empty database. Each would create its own
    /// data-protection key and protect the OAuth server keys with it, leaving the others unable to read them, so the
    /// migration and the first use of the key ring run under one advisory lock: the first instance creates the key,
    /// the others find it.
    /// </remarks>
    public static async Task MigrateAsync(IServiceProvider services, CancellationToken cancellationToken = default)
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
            scope.ServiceProvider.GetService<IDataProtectionProvider>()?.CreateProtector("Mnemo.Auth.Startup").Protect([1]);
        }
    }

    // "mnemo" in ASCII, then the lock's number (advisory lock keys are shared by every application on the database).
    private const long StartupLockKey = 0x6D6E656D6F_0002;
}
