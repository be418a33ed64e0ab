using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Mnemo.Memory.Storage.Postgres;
using Mnemo.Storage;
using Mnemo.Storage.Sqlite;

namespace Mnemo.Memory.Storage;

/// <summary>The database the memory module was given; the one place its provider is chosen.</summary>
internal sealed record MemoryStorage(DatabaseConnection Database)
{
    public bool IsPostgres => Database.Provider == DatabaseProvider.Postgres;

    /// <summary>
    /// Registers <see cref="IDbContextFactory{MemoryDbContext}"/> (and a scoped <see cref="MemoryDbContext"/>) on the
    /// provider. Pooled: every tool call takes a context, and building one (its services, options, connection object)
    /// was a tenth of a small call's server time; a pooled context is reset when returned (no tracked entities, no open
    /// connection or transaction). On PostgreSQL the factory hands out <see cref="PostgresMemoryDbContext"/>, so migrations come from that
    /// provider's folder while every query is written once against <see cref="MemoryDbContext"/>.
    /// </summary>
    public void AddDbContext(IServiceCollection services)
    {
        services.AddSingleton(this);
        switch (Database.Provider)
        {
            case DatabaseProvider.Sqlite:
                services.AddPooledDbContextFactory<MemoryDbContext>((sp, builder) =>
                    UseSqlite(builder, sp.GetRequiredService<IOptions<MemoryOptions>>().Value.BusyTimeout));
                break;
            case DatabaseProvider.Postgres:
                services.AddPooledDbContextFactory<PostgresMemoryDbContext>(builder => UseNpgsql(builder));
                services.AddSingleton<IDbContextFactory<MemoryDbContext>>(sp =>
                    new BaseContextFactory(sp.GetRequiredService<IDbContextFactory<PostgresMemoryDbContext>>()));
                services.AddScoped<MemoryDbContext>(sp => sp.GetRequiredService<PostgresMemoryDbContext>());
                break;
            default:
                throw new InvalidOperationException($"Unknown database provider {Database.Provider}.");
        }
    }

    /// <summary>
    /// Contexts built without the application's service provider (EF then uses only its own internal one, and logs
    /// nowhere), for <see cref="AccessLogWriter"/>: its last flush runs while that provider is being disposed, when a
    /// context from the registered factory fails with <see cref="ObjectDisposedException"/> (it resolves the logger
    /// factory from it). Same database, provider, migrations table and SQLite connection interceptor.
    /// </summary>
    public Func<MemoryDbContext> DetachedContexts(TimeSpan busyTimeout)
    {
        switch (Database.Provider)
        {
            case DatabaseProvider.Sqlite:
                var sqlite = new DbContextOptionsBuilder<MemoryDbContext>();
                UseSqlite(sqlite, busyTimeout);
                return () => new MemoryDbContext(sqlite.Options);
            case DatabaseProvider.Postgres:
                var postgres = new DbContextOptionsBuilder<PostgresMemoryDbContext>();
                UseNpgsql(postgres);
                return () => new PostgresMemoryDbContext(postgres.Options);
            default:
                throw new InvalidOperationException($"Unknown database provider {Database.Provider}.");
        }
    }

    // One configuration per provider, shared by the registered factory and the detached contexts.
    private void UseSqlite(DbContextOptionsBuilder builder, TimeSpan busyTimeout) =>
        builder.UseSqlite(Database.ConnectionString, sqlite => sqlite.MigrationsHistoryTable(MemoryDbContext.MigrationsHistoryTable))
            .AddInterceptors(SqliteConnectionInterceptor.For(busyTimeout));

    private void UseNpgsql(DbContextOptionsBuilder builder) =>
        builder.UseNpgsql(Database.ConnectionString, npgsql => npgsql.MigrationsHistoryTable(MemoryDbContext.MigrationsHistoryTable));

    private sealed class BaseContextFactory(IDbContextFactory<PostgresMemoryDbContext> inner) : IDbContextFactory<MemoryDbContext>
    {
        public MemoryDbContext CreateDbContext() => inner.CreateDbContext();

        public async Task<MemoryDbContext> CreateDbContextAsync(CancellationToken cancellationToken = default) =>
            await inner.CreateDbContextAsync(cancellationToken);
    }
}
