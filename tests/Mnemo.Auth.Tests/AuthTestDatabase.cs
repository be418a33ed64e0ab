using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Mnemo.Auth.Accounts;
using Mnemo.Auth.ApiKeys;
using Mnemo.Auth.Storage;

namespace Mnemo.Auth.Tests;

/// <summary>A fresh, migrated auth database in its own temporary file; one per test.</summary>
internal sealed class AuthTestDatabase : IAsyncDisposable
{
    private readonly string _directory;

    private AuthTestDatabase(string directory, ServiceProvider services, ManualTimeProvider time)
    {
        _directory = directory;
        Services = services;
        Time = time;
    }

    public ServiceProvider Services { get; }

    public ManualTimeProvider Time { get; }

    public string ConnectionString => $"Data Source={Path.Combine(_directory, "auth.db")}";

    /// <param name="configure">Service overrides applied after Mnemo's own (e.g. a recording password hasher).</param>
    /// <summary>The module as a host would wire it in these tests: SQLite, and a read and a write scope.</summary>
    public static Action<MnemoAuthOptions> Configure(string connectionString, Action<MnemoAuthOptions>? more = null) => auth =>
    {
        auth.UseSqlite(connectionString);
        auth.Scopes.Add(new AuthScope(ReadScope, "read your things"));
        auth.Scopes.Add(new AuthScope(WriteScope, "change your things"));
        auth.ToolScope = ToolScopes.ByReadOnlyHint(ReadScope, WriteScope);
        more?.Invoke(auth);
    };

    public const string ReadScope = "memory:read";
    public const string WriteScope = "memory:write";

    public static async Task<AuthTestDatabase> CreateAsync(Action<IServiceCollection>? configure = null)
    {
        var directory = Path.Combine(Path.GetTempPath(), "mnemo-auth-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var time = new ManualTimeProvider();
        var collection = new ServiceCollection()
            .AddLogging(l => l.SetMinimumLevel(LogLevel.Warning))
            .AddSingleton<TimeProvider>(time)
            .AddMnemoAccounts(Configure($"Data Source={Path.Combine(directory, "auth.db")}"));
        configure?.Invoke(collection);
        var services = collection.BuildServiceProvider(validateScopes: true);
        await AuthDatabase.MigrateAsync(services);
        return new AuthTestDatabase(directory, services, time);
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
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp file is harmless.
        }
    }
}

internal sealed class ManualTimeProvider : TimeProvider
{
    private DateTimeOffset _now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
