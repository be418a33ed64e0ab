using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Mnemo.Memory.Memories;
using Mnemo.Memory.Search;
using Mnemo.Memory.Search.Embeddings;
using Mnemo.Memory.Storage;
using Mnemo.Storage;
using Mnemo.Testing;
using Npgsql;

namespace Mnemo.Memory.Tests;

/// <summary>A clock the tests move by hand.</summary>
public sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;

    public override DateTimeOffset GetUtcNow() => Now;

    public void Advance(TimeSpan by) => Now += by;
}

/// <summary>
/// One temporary database per test, copied from a template migrated once per run (migrations are the slow part): a
/// SQLite file, or with <c>MNEMO_TEST_PROVIDER=Postgres</c> a PostgreSQL database (see <see cref="TestPostgres"/>).
/// <see cref="OpenProvider"/> builds a fresh service provider on the same database, like a second process would.
/// </summary>
public sealed class MemoryTestDatabase : IAsyncDisposable
{
    private static readonly Lazy<Task<string>> SqliteTemplate = new(CreateSqliteTemplateAsync);
    private static readonly Lazy<Task<string>> PostgresTemplate = new(CreatePostgresTemplateAsync);
    private static readonly string[] Tables = ["memories", "memory_tags", "memory_history", "memory_access_log", "memory_embeddings", "memory_changes"];
    private readonly List<ServiceProvider> _providers = [];

    private readonly IEmbeddingService? _embeddings;
    private readonly Action<MemoryOptions>? _configure;

    private MemoryTestDatabase(DatabaseConnection database, IEmbeddingService? embeddings, Action<MemoryOptions>? configure)
    {
        Database = database;
        _embeddings = embeddings;
        _configure = configure;
    }

    /// <summary>The provider and connection string every <see cref="OpenProvider"/> uses.</summary>
    public DatabaseConnection Database { get; }

    public bool IsPostgres => Database.Provider == DatabaseProvider.Postgres;

    public ManualTimeProvider Time { get; } = new(new DateTimeOffset(2026, 1, 15, 12, 0, 0, TimeSpan.Zero));

    public IMemoryService Service { get; private set; } = null!;

    /// <param name="embeddings">A shared, loaded model (see <see cref="EmbeddingModelFixture"/>); null: the default, never loaded without a host, so keyword-only.</param>
    public static Task<MemoryTestDatabase> CreateAsync(IEmbeddingService? embeddings = null, Action<MemoryOptions>? configure = null) =>
        CreateAsync(TestPostgres.IsSelected ? DatabaseProvider.Postgres : DatabaseProvider.Sqlite, embeddings, configure);

    /// <summary>On <paramref name="provider"/> whatever the run selected: for tests of one engine's own behaviour (traited with it).</summary>
    public static async Task<MemoryTestDatabase> CreateAsync(DatabaseProvider provider, IEmbeddingService? embeddings = null, Action<MemoryOptions>? configure = null)
    {
        DatabaseConnection database;
        if (provider == DatabaseProvider.Postgres)
        {
            database = DatabaseConnection.Postgres(await TestPostgres.CreateDatabaseAsync(await PostgresTemplate.Value));
        }
        else
        {
            var template = await SqliteTemplate.Value;
            var path = Path.Combine(Path.GetTempPath(), $"mnemo-memory-test-{Guid.NewGuid():N}.db");
            File.Copy(template, path);
            database = DatabaseConnection.Sqlite($"Data Source={path}");
        }

        var created = new MemoryTestDatabase(database, embeddings, configure);
        created.Service = created.OpenProvider().GetRequiredService<IMemoryService>();
        return created;
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

        services.AddMnemoMemory(Database, _configure);
        var provider = services.BuildServiceProvider(validateScopes: true);
        _providers.Add(provider);
        return provider;
    }

    /// <summary>
    /// Writes the access-log rows of reads that every provider opened here still holds in its queue (reads write them
    /// behind): call it before reading <c>memory_access_log</c> to see every read made so far.
    /// </summary>
    public async Task FlushAccessLogAsync()
    {
        foreach (var provider in _providers)
        {
            AccessLogWriter writer;
            try
            {
                writer = provider.GetRequiredService<AccessLogWriter>();
            }
            catch (ObjectDisposedException)
            {
                continue; // a provider the test disposed flushed its queue then
            }

            await writer.FlushAsync(CancellationToken.None);
        }
    }

    /// <summary>A new, open ADO connection to this database (the provider's own type), for what the tests read or write around the service.</summary>
    public async Task<DbConnection> OpenConnectionAsync()
    {
        DbConnection connection = IsPostgres ? new NpgsqlConnection(Database.ConnectionString) : new SqliteConnection(Database.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    /// <summary>Row counts of every memory table, including the keyword index, to prove a rejected call wrote nothing.</summary>
    public async Task<string> SnapshotAsync()
    {
        // Rows of earlier reads land first, so a later one cannot pass for a row the rejected call wrote.
        await FlushAccessLogAsync();
        var parts = new List<string>();
        foreach (var table in Tables)
        {
            parts.Add($"{table}={(await QueryAsync($"SELECT COUNT(*) FROM {table}")).Single()[0]}");
        }

        // Joined here rather than by group_concat/string_agg: one order (by id, byte-wise) on both engines.
        var states = await QueryAsync("SELECT id, state, updated_at FROM memories");
        parts.Add("states=" + string.Join(',', states
            .Select(r => string.Create(CultureInfo.InvariantCulture, $"{r[0]}:{r[1]}:{r[2]}"))
            .Order(StringComparer.Ordinal)));
        return string.Join(' ', parts);
    }

    /// <summary>How many memories of <paramref name="userId"/> are not deleted, read from the database.</summary>
    public async Task<int> CountAsync(string userId)
    {
        await using var connection = await OpenConnectionAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM memories WHERE user_id = @user AND state <> 'Deleted'";
        var user = command.CreateParameter();
        user.ParameterName = "user";
        user.Value = userId;
        command.Parameters.Add(user);
        return Convert.ToInt32(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Runs <paramref name="sql"/> (written to mean the same on both engines) and returns its rows. Integers come back
    /// as <see cref="long"/> on both: SQLite has only 64-bit integers, PostgreSQL returns <c>int</c> for e.g.
    /// <c>length()</c> and <c>SELECT 1</c>, and the tests compare values, not column types.
    /// </summary>
    public async Task<List<object?[]>> QueryAsync(string sql)
    {
        await using var connection = await OpenConnectionAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<object?[]>();
        while (await reader.ReadAsync())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i) switch
                {
                    int value => (long)value,
                    short value => (long)value,
                    var value => value,
                };
            }

            rows.Add(row);
        }

        return rows;
    }

    /// <summary>
    /// What the database takes on disk: the SQLite file with its write-ahead log (where new pages wait for a
    /// checkpoint), or the PostgreSQL database (tables, indexes, TOAST).
    /// </summary>
    public async Task<long> SizeAsync()
    {
        if (IsPostgres)
        {
            return (long)(await QueryAsync("SELECT pg_database_size(current_database())")).Single()[0]!;
        }

        var path = new SqliteConnectionStringBuilder(Database.ConnectionString).DataSource;
        return new[] { path, path + "-wal" }.Select(f => new FileInfo(f)).Where(f => f.Exists).Sum(f => f.Length);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var provider in _providers)
        {
            await provider.DisposeAsync();
        }

        if (IsPostgres)
        {
            await TestPostgres.DropDatabaseAsync(Database.ConnectionString);
            return;
        }

        SqliteConnection.ClearAllPools();
        var path = new SqliteConnectionStringBuilder(Database.ConnectionString).DataSource;
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            File.Delete(path + suffix);
        }
    }

    private static async Task<string> CreateSqliteTemplateAsync()
    {
        var path = Path.Combine(Path.GetTempPath(), $"mnemo-memory-template-{Guid.NewGuid():N}.db");
        await MigrateAsync(DatabaseConnection.Sqlite($"Data Source={path};Pooling=False"));
        await using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
            await command.ExecuteNonQueryAsync();
        }

        return path;
    }

    /// <summary>A migrated database to copy; its name. Dropped when the test process exits.</summary>
    private static async Task<string> CreatePostgresTemplateAsync()
    {
        var connectionString = await TestPostgres.CreateDatabaseAsync();
        // Unpooled, and pools cleared after: CREATE DATABASE ... TEMPLATE fails while any session is connected to the template.
        await MigrateAsync(DatabaseConnection.Postgres(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString));
        NpgsqlConnection.ClearAllPools();
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                TestPostgres.DropDatabaseAsync(connectionString).GetAwaiter().GetResult();
            }
            catch (NpgsqlException)
            {
                // The server may be gone already (a throw-away one is stopped at exit too); nothing left to drop then.
            }
        };
        return TestPostgres.DatabaseName(connectionString);
    }

    private static async Task MigrateAsync(DatabaseConnection database)
    {
        var services = new ServiceCollection();
        services.AddMnemoMemory(database);
        await using var provider = services.BuildServiceProvider();
        await MemoryDatabase.MigrateAsync(provider, CancellationToken.None);
    }
}
