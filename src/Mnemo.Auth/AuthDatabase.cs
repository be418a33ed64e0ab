using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Mnemo.Auth.Storage;

namespace Mnemo.Auth;

public static class AuthDatabase
{
    /// <summary>
    /// Applies the auth module's migrations (history in <c>__EFMigrationsHistory_Auth</c>). On SQLite
    /// it first switches the file to write-ahead logging, so readers never block the writer and the
    /// CLI can work on the file while the server runs.
    /// </summary>
    public static async Task MigrateAsync(IServiceProvider services, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(services);
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AuthDbContext>();
        if (db.Database.IsSqlite())
        {
            // journal_mode is persistent in the file; an in-memory database answers "memory" and stays so.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }

        await db.Database.MigrateAsync(cancellationToken);
    }
}
