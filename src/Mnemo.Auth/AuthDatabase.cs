using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Mnemo.Auth.Storage;
using Mnemo.Storage.Copy;
using Mnemo.Storage.Health;

namespace Mnemo.Auth;

/// <summary>What a host does with the module's database: migrate it at start-up, check it for readiness, copy it to another database.</summary>
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
    public static Task MigrateAsync(IServiceProvider services, CancellationToken cancellationToken = default) =>
        AuthMigrations.ApplyAsync(services, startKeyRing: true, cancellationToken);

    /// <summary>
    /// Applies the migrations to a database that is about to receive a copy (<see cref="CopyAsync"/>). Unlike
    /// <see cref="MigrateAsync(IServiceProvider, CancellationToken)"/> it leaves the data-protection key ring alone:
    /// its first use on an empty database creates a key, and the copy brings the source's keys, which must stay the
    /// only ones (a new key would be the ring's newest and take over protecting cookies and server keys, and its row
    /// would collide with the copied ones).
    /// </summary>
    public static Task MigrateForCopyAsync(IServiceProvider services, CancellationToken cancellationToken = default) =>
        AuthMigrations.ApplyAsync(services, startKeyRing: false, cancellationToken);

    /// <summary>The rows in each of the module's tables (before its migrations ran, its tables count as absent).</summary>
    public static async Task<IReadOnlyList<TableRowCount>> CountRowsAsync(IServiceProvider services, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(services);
        await using var scope = services.CreateAsyncScope();
        return await DatabaseCopier.CountRowsAsync(scope.ServiceProvider.GetRequiredService<AuthDbContext>(), cancellationToken);
    }

    /// <summary>
    /// Copies every table of the module (accounts, API keys, OAuth clients, grants and tokens, server keys,
    /// data-protection keys, secrets, audit log) from the database of <paramref name="from"/> to the migrated, empty
    /// database of <paramref name="to"/> within <paramref name="copy"/>, keeping every id, and returns each table's
    /// row counts and checksums on both sides. Tokens, keys and hashes are copied as stored, so every token, API key and
    /// session issued before the copy stays valid on the target.
    /// </summary>
    public static async Task<IReadOnlyList<TableVerification>> CopyAsync(
        IServiceProvider from, IServiceProvider to, DatabaseCopy copy, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        ArgumentNullException.ThrowIfNull(copy);
        await using var source = from.CreateAsyncScope();
        await using var target = to.CreateAsyncScope();
        return await copy.CopyAsync(
            source.ServiceProvider.GetRequiredService<AuthDbContext>(), target.ServiceProvider.GetRequiredService<AuthDbContext>(), cancellationToken);
    }
}
