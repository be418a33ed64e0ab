using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Mnemo.Auth;
using Mnemo.Memory;
using Mnemo.Server.Hosting;
using Mnemo.Testing;
using Npgsql;

namespace Mnemo.Server.Tests.Infrastructure;

/// <summary>
/// Where one test's Mnemo keeps its data: a temporary data folder, and on a PostgreSQL run
/// (<see cref="TestPostgres.IsSelected"/>, <c>MNEMO_TEST_PROVIDER=Postgres</c>) also a fresh database of its own,
/// which every server and CLI process given this store is pointed at. Servers and processes sharing a store share
/// their data (restarts, two instances, the CLI next to a server). Disposing deletes the folder and drops the database.
/// </summary>
public sealed class TestDataStore : IAsyncDisposable
{
    private TestDataStore(string dataDir, string? postgresConnectionString)
    {
        DataDir = dataDir;
        PostgresConnectionString = postgresConnectionString;
    }

    /// <summary>The data folder (<c>--data-dir</c>); on PostgreSQL it holds no database.</summary>
    public string DataDir { get; }

    /// <summary>This store's own PostgreSQL database, or null on an SQLite run.</summary>
    public string? PostgresConnectionString { get; }

    public bool IsPostgres => PostgresConnectionString is not null;

    public static async Task<TestDataStore> CreateAsync(string prefix = "mnemo-test-")
    {
        var dataDir = Directory.CreateTempSubdirectory(prefix).FullName;
        return new TestDataStore(dataDir, TestPostgres.IsSelected ? await TestPostgres.CreateDatabaseAsync(await PostgresTemplate.Value) : null);
    }

    /// <summary>
    /// A database with both modules' schemas, migrated once per test run and copied for each store
    /// (<c>CREATE DATABASE … TEMPLATE</c> is much cheaper than migrating from scratch). Schema only: each server still
    /// runs its own start-up (migration check, data-protection key, OAuth server keys) as on a new installation.
    /// Dropped when the test process exits.
    /// </summary>
    private static readonly Lazy<Task<string>> PostgresTemplate = new(CreateTemplateAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    private static async Task<string> CreateTemplateAsync()
    {
        var connectionString = await TestPostgres.CreateDatabaseAsync();
        // PostgreSQL copies a template only while nobody is connected to it: no pooled connection may outlive the migration.
        var database = Mnemo.Storage.DatabaseConnection.Postgres(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        var configuration = new ConfigurationBuilder().Build();
        await using (var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddLogging()
            .AddMnemoAccounts(AuthModuleSetup.For(configuration, database, publicUrl: null))
            .AddMnemoMemory(database)
            .BuildServiceProvider())
        {
            await using (var scope = services.CreateAsyncScope())
            {
                await scope.ServiceProvider.GetRequiredService<Mnemo.Auth.Storage.AuthDbContext>().Database.MigrateAsync();
            }

            await Mnemo.Memory.MemoryDatabase.MigrateAsync(services, CancellationToken.None);
        }

        NpgsqlConnection.ClearAllPools();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => TestPostgres.DropDatabaseAsync(connectionString).GetAwaiter().GetResult();
        return TestPostgres.DatabaseName(connectionString);
    }

    /// <summary>
    /// An SQLite store on an existing data folder whatever the run's provider (the source of an SQLite → PostgreSQL
    /// migration is SQLite on every run). Disposing it deletes the folder.
    /// </summary>
    public static TestDataStore OnSqliteFolder(string dataDir) => new(dataDir, null);

    /// <summary>The settings an in-process host needs to use this store's database (none for SQLite: the data folder says it).</summary>
    public IReadOnlyDictionary<string, string?> Configuration => IsPostgres
        ? new Dictionary<string, string?>
        {
            ["Mnemo:Database:Provider"] = "Postgres",
            [$"ConnectionStrings:{DatabaseSetup.ConnectionStringName}"] = PostgresConnectionString,
        }
        : new Dictionary<string, string?>();

    /// <summary>The same settings as environment variables, for a <c>mnemo</c> child process.</summary>
    public IReadOnlyDictionary<string, string> EnvironmentVariables => IsPostgres
        ? new Dictionary<string, string>
        {
            ["Mnemo__Database__Provider"] = "Postgres",
            [$"ConnectionStrings__{DatabaseSetup.ConnectionStringName}"] = PostgresConnectionString!,
        }
        : new Dictionary<string, string>();

    /// <summary>An open connection to this store's database, to look at it the way a person with database access would.</summary>
    public async Task<DbConnection> OpenConnectionAsync()
    {
        DbConnection connection = IsPostgres
            ? new NpgsqlConnection(PostgresConnectionString)
            : new SqliteConnection(DataDirectory.ConnectionString(DataDir));
        await connection.OpenAsync();
        return connection;
    }

    /// <summary>The names of every table in the database (both modules).</summary>
    public async Task<IReadOnlyList<string>> TableNamesAsync()
    {
        await using var connection = await OpenConnectionAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = IsPostgres
            ? "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
            : "SELECT name FROM sqlite_master WHERE type = 'table'";
        List<string> names = [];
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    /// <summary>Every row of <paramref name="tables"/> (default: all tables) as text, one row a line, values separated by '|'.</summary>
    public async Task<string> DumpAsync(params string[] tables)
    {
        if (tables.Length == 0)
        {
            tables = [.. await TableNamesAsync()];
        }

        await using var connection = await OpenConnectionAsync();
        var text = new System.Text.StringBuilder();
        foreach (var table in tables)
        {
            await using var select = connection.CreateCommand();
            select.CommandText = $"SELECT * FROM \"{table}\"";
            await using var rows = await select.ExecuteReaderAsync();
            while (await rows.ReadAsync())
            {
                for (var i = 0; i < rows.FieldCount; i++)
                {
                    text.Append(rows.IsDBNull(i) ? "" : Convert.ToString(rows.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)).Append('|');
                }

                text.Append('\n');
            }
        }

        return text.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        if (IsPostgres)
        {
            await TestPostgres.DropDatabaseAsync(PostgresConnectionString!);
        }

        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a closing connection; the OS temp cleaner takes it.
        }
    }
}
