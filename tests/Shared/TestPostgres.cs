using System.Diagnostics;
using Npgsql;

namespace Mnemo.Testing;

/// <summary>
/// The PostgreSQL server the suites run against when <c>MNEMO_TEST_PROVIDER=Postgres</c> (scripts/test.sh runs the
/// storage, memory, search, OAuth and MCP tool tests once on SQLite and once so). The server comes from
/// <c>MNEMO_TEST_POSTGRES</c> (an admin connection string, e.g. <c>Host=127.0.0.1;Port=5433;Username=mnemo</c>); when it
/// is unset, the first test that needs one starts a throw-away server with <c>scripts/postgres.sh</c> (stopped when the
/// test process exits). Every test gets its own database, created (from a migrated template when given) and dropped.
/// </summary>
internal static class TestPostgres
{
    public const string ServerVariable = "MNEMO_TEST_POSTGRES";
    public const string ProviderVariable = "MNEMO_TEST_PROVIDER";

    private static readonly Lazy<string> Server = new(StartOrFind, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Whether this run tests PostgreSQL instead of SQLite.</summary>
    public static bool IsSelected =>
        string.Equals(Environment.GetEnvironmentVariable(ProviderVariable), "Postgres", StringComparison.OrdinalIgnoreCase);

    /// <summary>The admin connection string of the test server (starting one if needed).</summary>
    public static string AdminConnectionString => Server.Value;

    /// <summary>A new, empty database (or a copy of <paramref name="template"/>); returns its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync(string? template = null)
    {
        var name = $"mnemo_test_{Guid.NewGuid():N}";
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            template is null ? $"CREATE DATABASE \"{name}\"" : $"CREATE DATABASE \"{name}\" TEMPLATE \"{template}\"", connection);
        await command.ExecuteNonQueryAsync();
        return ConnectionStringFor(name);
    }

    /// <summary>The connection string of database <paramref name="name"/> on the test server.</summary>
    public static string ConnectionStringFor(string name) =>
        new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name }.ConnectionString;

    /// <summary>The database name in <paramref name="connectionString"/>.</summary>
    public static string DatabaseName(string connectionString) => new NpgsqlConnectionStringBuilder(connectionString).Database!;

    /// <summary>Drops the database of <paramref name="connectionString"/>, closing whatever still uses it.</summary>
    public static async Task DropDatabaseAsync(string connectionString)
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{DatabaseName(connectionString)}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }

    private static string StartOrFind()
    {
        if (Environment.GetEnvironmentVariable(ServerVariable) is { Length: > 0 } configured)
        {
            return configured;
        }

        var script = FindScript();
        var start = new ProcessStartInfo("bash", [script, "start"]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not run " + script);
        var output = process.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0 || output.Length < 2)
        {
            throw new InvalidOperationException(
                $"No PostgreSQL for the tests: set {ServerVariable} to an admin connection string, or install PostgreSQL " +
                $"(apt-get install -y postgresql) so {script} can start one. It said: {error}");
        }

        var (directory, connectionString) = (output[0], output[1]);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
            Process.Start(new ProcessStartInfo("bash", [script, "stop", directory]))?.WaitForExit(30_000);
        return connectionString;
    }

    private static string FindScript() => Path.Combine(TestRepository.Root, "scripts", "postgres.sh");
}
