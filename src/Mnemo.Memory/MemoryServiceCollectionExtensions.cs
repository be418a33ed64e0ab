using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Mnemo.Memory.Memories;
using Mnemo.Memory.Search;
using Mnemo.Memory.Search.Embeddings;
using Mnemo.Memory.Storage;
using Mnemo.Storage;

namespace Mnemo.Memory;

public static class MemoryServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IMemoryService"/> and its storage on the SQLite database named by <paramref name="connectionString"/>
    /// (e.g. <c>Data Source=/var/lib/mnemo/mnemo.db</c>). Call <see cref="MemoryDatabase.MigrateAsync"/> once at start-up.
    /// </summary>
    public static IServiceCollection AddMnemoMemory(this IServiceCollection services, string connectionString, Action<MemoryOptions>? configure = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return services.AddMnemoMemory(DatabaseConnection.Sqlite(connectionString), configure);
    }

    /// <summary>
    /// Registers <see cref="IMemoryService"/> and its storage on <paramref name="database"/> (SQLite or PostgreSQL).
    /// Call <see cref="MemoryDatabase.MigrateAsync"/> once at start-up.
    /// </summary>
    public static IServiceCollection AddMnemoMemory(this IServiceCollection services, DatabaseConnection database, Action<MemoryOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(database);
        ArgumentException.ThrowIfNullOrWhiteSpace(database.ConnectionString);

        var options = services.AddOptions<MemoryOptions>();
        // Defaults in code, then the "Mnemo:Memory" configuration section when the host has configuration,
        // then the caller's delegate.
        services.AddSingleton<IConfigureOptions<MemoryOptions>>(sp => new ConfigureNamedOptions<MemoryOptions>(
            Options.DefaultName, o => sp.GetService<IConfiguration>()?.GetSection(MemoryOptions.SectionName).Bind(o)));
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MemoryOptions>, MemoryOptionsValidator>());

        new MemoryStorage(database).AddDbContext(services);

        services.TryAddSingleton(TimeProvider.System);
        services.AddLogging();
        services.TryAddSingleton<IEmbeddingService>(sp =>
        {
            var embeddings = sp.GetRequiredService<IOptions<MemoryOptions>>().Value.Embeddings;
            return embeddings.Provider switch
            {
                "None" => new DisabledEmbeddingService(),
                "OpenAI" => ActivatorUtilities.CreateInstance<RemoteEmbeddingService>(sp, embeddings),
                _ => ActivatorUtilities.CreateInstance<LocalMiniLmEmbeddingService>(sp),
            };
        });
        // Loads the model and recent users' indexes in the background after start-up, then back-fills missing vectors
        // (runs only under a host).
        services.AddHostedService<SearchBackgroundService>();
        // Reads queue their access-log row; the writer commits them in batches and flushes when the host stops (and
        // when the provider is disposed, for hostless use).
        services.TryAddSingleton<AccessLogWriter>();
        services.AddHostedService<AccessLogFlushService>();
        // Benchmarks register their own ranking variant first; the product ranks with the shipped one.
        services.TryAddSingleton(RankingVariant.Shipped);
        services.TryAddSingleton<MemoryVectors>();
        services.TryAddSingleton<SearchIndex>();
        services.TryAddSingleton<VectorBackfill>();
        services.TryAddSingleton<MaintenanceLock>();
        services.TryAddSingleton<BackfillProgress>();
        services.TryAddSingleton<IMemorySearchStatus, MemorySearchStatus>();
        services.TryAddSingleton<IMemoryService, MemoryService>();
        services.TryAddSingleton<IMemoryAdministration, MemoryAdministration>();
        return services;
    }
}
