using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Mnemo.Auth.Accounts;
using Mnemo.Auth.ApiKeys;
using Mnemo.Auth.Storage;
using Mnemo.Auth.Storage.Postgres;
using Mnemo.Storage;
using Mnemo.Testing;
using Npgsql;

namespace Mnemo.Auth.Tests;

/// <summary>
/// A fresh, migrated auth database; one per test. SQLite: its own temporary file. PostgreSQL (when
/// <see cref="TestPostgres.IsSelected"/>): its own database, copied from a template migrated once per test run, and
/// dropped on dispose.
/// </summary>
internal sealed class AuthTestDatabase : IAsyncDisposable
{
    private readonly string? _directory;

    private AuthTestDatabase(DatabaseConnection database, string? directory, ServiceProvider services, ManualTimeProvider time)
    {
        Database = database;
        _directory = directory;
        Services = services;
        Time = time;
    }

    public ServiceProvider Services { get; }

    public ManualTimeProvider Time { get; }

    /// <summary>Where this test's tables are: the provider of this run and the test's own database.</summary>
    public DatabaseConnection Database { get; }

    /// <summary>The module as a host would wire it in these tests: the given storage, and a read and a write scope.</summary>
    /// <param name="database">Where the tables are.</param>
    /// <param name="more">Further settings, applied last.</param>
    public static Action<MnemoAuthOptions> Configure(DatabaseConnection database, Action<MnemoAuthOptions>? more = null) => auth =>
    {
        auth.UseDatabase(database);
        auth.Scopes.Add(new AuthScope(ReadScope, "read your things"));
        auth.Scopes.Add(new AuthScope(WriteScope, "change your things"));
        auth.ToolScope = ToolScopes.ByReadOnlyHint(ReadScope, WriteScope);
        more?.Invoke(auth);
    };

    /// <summary><see cref="Configure(DatabaseConnection, Action{MnemoAuthOptions}?)"/> on an SQLite connection string (tests that never open the database).</summary>
    public static Action<MnemoAuthOptions> Configure(string sqliteConnectionString, Action<MnemoAuthOptions>? more = null) =>
        Configure(DatabaseConnection.Sqlite(sqliteConnectionString), more);

    /// <summary>This test's database wired the way <see cref="Configure(DatabaseConnection, Action{MnemoAuthOptions}?)"/> does.</summary>
    public Action<MnemoAuthOptions> Configure(Action<MnemoAuthOptions>? more = null) => Configure(Database, more);

    public const string ReadScope = "memory:read";
    public const string WriteScope = "memory:write";

    /// <param name="configure">Service overrides applied after Mnemo's own (e.g. a recording password hasher).</param>
    public static async Task<AuthTestDatabase> CreateAsync(Action<IServiceCollection>? configure = null)
    {
        string? directory = null;
        DatabaseConnection database;
        if (TestPostgres.IsSelected)
        {
            database = DatabaseConnection.Postgres(await TestPostgres.CreateDatabaseAsync(await PostgresTemplate.Value));
        }
        else
        {
            directory = Path.Combine(Path.GetTempPath(), "mnemo-auth-tests", Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(directory);
            database = DatabaseConnection.Sqlite($"Data Source={Path.Combine(directory, "auth.db")}");
        }

        var time = new ManualTimeProvider();
        var collection = new ServiceCollection()
            .AddLogging(l => l.SetMinimumLevel(LogLevel.Warning))
            .AddSingleton<TimeProvider>(time)
            .AddMnemoAccounts(Configure(database));
        configure?.Invoke(collection);
        var services = collection.BuildServiceProvider(validateScopes: true);
        // Still run on a copy of the migrated template: it creates the data-protection key, as at every start-up.
        await AuthDatabase.MigrateAsync(services);
        return new AuthTestDatabase(database, directory, services, time);
    }

    public async Task<T> WithAsync<T>(Func<IServiceProvider, Task<T>> action)
    {
        await using var scope = Services.CreateAsyncScope();
        return await action(scope.ServiceProvider);
    }

    public Task<T> AccountsAsync<T>(Func<IAccountService, Task<T>> action) =>
        WithAsync(sp => action(sp.GetRequiredService<IAccountService>()));

    public Task<T> KeysAsync<T>(Func<IApiKeyService, Task<T>> action) =>
        WithAsync(sp => action(sp.GetRequiredService<IApiKeyService>()));

    public Task<T> DbAsync<T>(Func<AuthDbContext, Task<T>> action) =>
        WithAsync(sp => action(sp.GetRequiredService<AuthDbContext>()));

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        if (Database.Provider == DatabaseProvider.Postgres)
        {
            await TestPostgres.DropDatabaseAsync(Database.ConnectionString);
            return;
        }

        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory!, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp file is harmless.
        }
    }

    /// <summary>
    /// One database per test run with every auth migration applied, copied for each test: migrating from scratch
    /// costs far more than <c>CREATE DATABASE … TEMPLATE</c>. Dropped when the test process exits.
    /// </summary>
    private static readonly Lazy<Task<string>> PostgresTemplate = new(CreateTemplateAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    private static async Task<string> CreateTemplateAsync()
    {
        var connectionString = await TestPostgres.CreateDatabaseAsync();
        // PostgreSQL copies a template only while nobody is connected to it: no pooled connection may outlive the migration.
        var unpooled = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString;
        var options = new DbContextOptionsBuilder<PostgresAuthDbContext>();
        AuthDbContextSetup.Configure(options, DatabaseConnection.Postgres(unpooled));
        await using (var db = new PostgresAuthDbContext(options.Options))
        {
            await db.Database.MigrateAsync();
        }

        NpgsqlConnection.ClearAllPools();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => TestPostgres.DropDatabaseAsync(connectionString).GetAwaiter().GetResult();
        return TestPostgres.DatabaseName(connectionString);
    }
}

internal sealed class ManualTimeProvider : TimeProvider
{
    private DateTimeOffset _now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
