using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Mnemo.Memory.Memories;
using Mnemo.Memory.Search;
using Mnemo.Memory.Search.Embeddings;

namespace Mnemo.Memory.Tests;

/// <summary>A clock the tests move by hand.</summary>
public sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;

    public override DateTimeOffset GetUtcNow() => Now;

    public void Advance(TimeSpan by) => Now += by;
}

/// <summary>
/// One temporary SQLite file per test, copied from a template migrated once per run (migrations are the slow part).
/// <see cref="OpenProvider"/> builds a fresh service provider on the same file, like a second process would.
/// </summary>
public sealed class MemoryTestDatabase : IAsyncDisposable
{
    private static readonly Lazy<Task<string>> Template = new(CreateTemplateAsync);
    private readonly List<ServiceProvider> _providers = [];

    private readonly IEmbeddingService? _embeddings;
    private readonly Action<MemoryOptions>? _configure;

    private MemoryTestDatabase(string path, IEmbeddingService? embeddings, Action<MemoryOptions>? configure)
    {
        Path = path;
        _embeddings = embeddings;
        _configure = configure;
    }

    public string Path { get; }

    public string ConnectionString => $"Data Source={Path}";

    public ManualTimeProvider Time { get; } = new(new DateTimeOffset(2026, 1, 15, 12, 0, 0, TimeSpan.Zero));

    public IMemoryService Service { get; private set; } = null!;

    /// <param name="embeddings">A shared, loaded model (see <see cref="EmbeddingModelFixture"/>); null: the default, never loaded without a host, so keyword-only.</param>
    public static async Task<MemoryTestDatabase> CreateAsync(IEmbeddingService? embeddings = null, Action<MemoryOptions>? configure = null)
    {
        var template = await Template.Value;
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"mnemo-memory-test-{Guid.NewGuid():N}.db");
        File.Copy(template, path);
        var database = new MemoryTestDatabase(path, embeddings, configure);
        database.Service = database.OpenProvider().GetRequiredService<IMemoryService>();
        return database;
    }

    public ServiceProvider OpenProvider(IEmbeddingService? embeddings = null) => OpenProvider(embeddings, null);

    /// <param name="ranking">Benchmark-only ranking switches (e.g. dense only, to look at the vector index alone).</param>
    internal ServiceProvider OpenProvider(IEmbeddingService? embeddings, RankingVariant? ranking)
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(Time);
        if (ranking is not null)
        {
            services.AddSingleton(ranking);
        }

        if ((embeddings ?? _embeddings) is { } shared)
        {
            services.AddSingleton(shared);
        }

        services.AddMnemoMemory(ConnectionString, _configure);
        var provider = services.BuildServiceProvider(validateScopes: true);
        _providers.Add(provider);
        return provider;
    }

    /// <summary>Row counts of every memory table, including the keyword index, to prove a rejected call wrote nothing.</summary>
    public async Task<string> SnapshotAsync()
    {
        await using var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync();
        var parts = new List<string>();
        foreach (var table in new[] { "memories", "memory_tags", "memory_history", "memory_access_log", "memory_embeddings", "memory_changes" })
        {
            parts.Add($"{table}={await ScalarAsync(connection, $"SELECT COUNT(*) FROM {table}")}");
        }

        parts.Add($"states={await ScalarAsync(connection, "SELECT COALESCE(group_concat(id || ':' || state || ':' || updated_at, ','), '') FROM memories")}");
        return string.Join(' ', parts);
    }

    /// <summary>How many memories of <paramref name="userId"/> are not deleted, read from the file.</summary>
    public async Task<int> CountAsync(string userId)
    {
        await using var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM memories WHERE user_id = $user AND state <> 'Deleted'";
        command.Parameters.AddWithValue("$user", userId);
        return Convert.ToInt32(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task<List<object?[]>> QueryAsync(string sql)
    {
        await using var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<object?[]>();
        while (await reader.ReadAsync())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var provider in _providers)
        {
            await provider.DisposeAsync();
        }

        SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            File.Delete(Path + suffix);
        }
    }

    private static async Task<object?> ScalarAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }

    private static async Task<string> CreateTemplateAsync()
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"mnemo-memory-template-{Guid.NewGuid():N}.db");
        var services = new ServiceCollection();
        services.AddMnemoMemory($"Data Source={path};Pooling=False");
        await using (var provider = services.BuildServiceProvider())
        {
            await MemoryDatabase.MigrateAsync(provider, CancellationToken.None);
        }

        await using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
            await command.ExecuteNonQueryAsync();
        }

        return path;
    }
}
