using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Mnemo.Auth.Credentials;
using Mnemo.Auth.Storage.Postgres;
using Mnemo.Storage;
using Mnemo.Storage.Sqlite;

namespace Mnemo.Auth.Storage;

/// <summary>
/// The one place the module's provider is chosen. On PostgreSQL the context is a <see cref="PostgresAuthDbContext"/>
/// (its own migrations, in Storage/Postgres), registered as <see cref="AuthDbContext"/>, so OpenIddict's stores, data
/// protection and every query work on one type.
/// </summary>
internal static class AuthDbContextSetup
{
    public static void Register(IServiceCollection services, DatabaseConnection database)
    {
        switch (database.Provider)
        {
            case DatabaseProvider.Sqlite:
                services.AddDbContext<AuthDbContext>(builder => Configure(builder, database));
                break;
            case DatabaseProvider.Postgres:
                services.AddDbContext<AuthDbContext, PostgresAuthDbContext>(builder => Configure(builder, database));
                break;
            default:
                throw new InvalidOperationException($"Unknown database provider {database.Provider}.");
        }
    }

    /// <summary>A context outside any container (the audit log's own writer).</summary>
    public static Func<AuthDbContext> Factory(DatabaseConnection database)
    {
        switch (database.Provider)
        {
            case DatabaseProvider.Postgres:
                var postgres = new DbContextOptionsBuilder<PostgresAuthDbContext>();
                Configure(postgres, database);
                return () => new PostgresAuthDbContext(postgres.Options);
            default:
                var sqlite = new DbContextOptionsBuilder<AuthDbContext>();
                Configure(sqlite, database);
                return () => new AuthDbContext(sqlite.Options);
        }
    }

    public static void Configure(DbContextOptionsBuilder builder, DatabaseConnection database)
    {
        var assembly = typeof(AuthDbContext).Assembly.GetName().Name;
        switch (database.Provider)
        {
            case DatabaseProvider.Sqlite:
                builder.UseSqlite(database.ConnectionString, sqlite =>
                {
                    sqlite.MigrationsHistoryTable(AuthDbContext.MigrationsHistoryTable);
                    sqlite.MigrationsAssembly(assembly);
                });
                builder.AddInterceptors(SqliteConnectionInterceptor.For(SqliteConnectionInterceptor.DefaultBusyTimeout));
                break;
            case DatabaseProvider.Postgres:
                builder.UseNpgsql(database.ConnectionString, npgsql =>
                {
                    npgsql.MigrationsHistoryTable(AuthDbContext.MigrationsHistoryTable);
                    npgsql.MigrationsAssembly(assembly);
                });
                break;
            default:
                throw new InvalidOperationException($"Unknown database provider {database.Provider}.");
        }

        // Every write of the module ends the cached credentials of this process (VerifiedCredentialCache).
        builder.AddInterceptors(CredentialChangeInterceptor.Instance);
    }
}
