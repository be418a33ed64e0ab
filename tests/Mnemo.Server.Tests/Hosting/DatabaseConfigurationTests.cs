using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mnemo.Server.Tests.Infrastructure;
using Mnemo.Testing;
using Npgsql;

namespace Mnemo.Server.Tests.Hosting;

/// <summary>
/// <c>Mnemo:Database:Provider</c> and <c>ConnectionStrings:Mnemo</c>: a wrong combination stops start-up with a message
/// naming the setting to fix, and the connection string, which may carry a password, appears in no message and no log.
/// </summary>
public sealed class DatabaseConfigurationTests
{
    private const string Password = "pw-N3ver-Print-Me";

    [Fact]
    public async Task Postgres_WithoutAConnectionString_FailsStartUp_NamingTheSetting()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => MnemoTestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Mnemo:Database:Provider"] = "Postgres",
            // Empty, not absent: on a PostgreSQL test run the test's own store sets one.
            ["ConnectionStrings:Mnemo"] = "",
        }));

        Assert.Contains("ConnectionStrings:Mnemo", error.Message);
        Assert.Contains("ConnectionStrings__Mnemo", error.Message); // the spelling for an environment variable
    }

    [Fact]
    public async Task Sqlite_WithAConnectionString_FailsStartUp_SayingWhy_WithoutShowingIt()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => MnemoTestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Mnemo:Database:Provider"] = "Sqlite",
            ["ConnectionStrings:Mnemo"] = $"Host=db.example.com;Database=mnemo;Username=mnemo;Password={Password}",
        }));

        Assert.Contains("ConnectionStrings:Mnemo is set but Mnemo:Database:Provider is Sqlite", error.Message);
        Assert.Contains("Mnemo:Database:Provider=Postgres", error.Message);
        Assert.DoesNotContain(Password, error.ToString());
        Assert.DoesNotContain("db.example.com", error.ToString());
    }

    [Fact]
    public async Task Serve_WithSqliteAndAConnectionString_ExitsWithTheReason_AndNeverPrintsTheConnectionString()
    {
        await using var store = await TestDataStore.CreateAsync("mnemo-config-");

        var result = await MnemoProcess.RunAsync(null, "serve", "--urls", "http://127.0.0.1:0", "--data-dir", store.DataDir,
            "--Mnemo:Database:Provider=Sqlite", $"--ConnectionStrings:Mnemo=Host=db.example.com;Username=mnemo;Password={Password}");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("Mnemo:Database:Provider", result.StdErr);
        Assert.DoesNotContain(Password, result.StdOut + result.StdErr);
    }

    [Fact]
    public async Task Postgres_ThatCannotBeReached_FailsStartUp_WithoutThePasswordInTheErrorOrTheLogs()
    {
        // Port 1 on loopback: nothing listens, the connection is refused at once.
        var logs = new CapturingLoggerProvider();

        var error = await Assert.ThrowsAnyAsync<Exception>(() => MnemoTestServer.StartAsync(
            TracingEverything(new Dictionary<string, string?>
            {
                ["Mnemo:Database:Provider"] = "Postgres",
                ["ConnectionStrings:Mnemo"] = $"Host=127.0.0.1;Port=1;Database=mnemo;Username=mnemo;Password={Password};Timeout=5",
            }),
            services: services => services.AddSingleton<ILoggerProvider>(logs)));

        Assert.Contains(Chain(error), e => e is NpgsqlException);
        Assert.DoesNotContain(Password, error.ToString());
        Assert.Contains("Microsoft.EntityFrameworkCore", logs.Categories); // the logs looked at are not empty
        Assert.DoesNotContain(Password, logs.Text);
    }

    /// <summary>A whole start-up, a tool call and a shutdown on a real PostgreSQL database, logged at Trace.</summary>
    [Fact]
    [Trait("Provider", "Postgres")]
    public async Task Postgres_StartedWithAPasswordInTheConnectionString_NeverLogsIt()
    {
        var database = await TestPostgres.CreateDatabaseAsync();
        try
        {
            // The test server trusts local connections, so the password is accepted without being checked.
            var connectionString = new NpgsqlConnectionStringBuilder(database) { Password = Password }.ConnectionString;
            var logs = new CapturingLoggerProvider();
            await using (var server = await MnemoTestServer.StartAsync(
                TracingEverything(new Dictionary<string, string?>
                {
                    ["Mnemo:Database:Provider"] = "Postgres",
                    ["ConnectionStrings:Mnemo"] = connectionString,
                }),
                services: services => services.AddSingleton<ILoggerProvider>(logs)))
            {
                var key = await server.CreateUserWithKeyAsync("alice");
                await using var client = await server.ConnectAsync(key);
                (await client.CallAsync("add_memories", new { memories = new[] { "Grows tomatoes." } })).EnsureOk();
            }

            Assert.Contains("Microsoft.EntityFrameworkCore", logs.Categories); // Trace really reached the database logs
            Assert.DoesNotContain(Password, logs.Text);
        }
        finally
        {
            await TestPostgres.DropDatabaseAsync(database);
        }
    }

    /// <summary><paramref name="settings"/> with every category at Trace, over the shipped appsettings.json, which quiets EF Core, ASP.NET Core and the MCP SDK.</summary>
    private static Dictionary<string, string?> TracingEverything(Dictionary<string, string?> settings)
    {
        foreach (var category in new[] { "Default", "Microsoft.AspNetCore", "Microsoft.EntityFrameworkCore", "ModelContextProtocol" })
        {
            settings[$"Logging:LogLevel:{category}"] = "Trace";
        }

        return settings;
    }

    private static IEnumerable<Exception> Chain(Exception? error)
    {
        for (; error is not null; error = error.InnerException)
        {
            yield return error;
        }
    }

    /// <summary>Every log line of every category and level, with its exception.</summary>
    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        private readonly ConcurrentQueue<(string Category, string Line)> _lines = new();

        public string Text => string.Join('\n', _lines.Select(l => l.Line));

        public IReadOnlyList<string> Categories => [.. _lines.Select(l => l.Category.Split('.', 3) is [var a, var b, ..] ? $"{a}.{b}" : l.Category).Distinct()];

        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);

        public void Dispose()
        {
        }

        private sealed class Logger(string category, ConcurrentQueue<(string, string)> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue((category, $"{logLevel} {category}: {formatter(state, exception)} {exception}"));
        }
    }
}
