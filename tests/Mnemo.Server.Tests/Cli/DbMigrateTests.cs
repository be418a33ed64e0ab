using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Mnemo.Auth.ApiKeys;
using Mnemo.Server.Hosting;
using Mnemo.Server.Tests.Infrastructure;
using Mnemo.Server.Tests.OAuth;
using Mnemo.Testing;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Npgsql;
using Xunit.Abstractions;

namespace Mnemo.Server.Tests.Cli;

/// <summary>
/// <c>mnemo db migrate --to-postgres</c>, run as a process on a data folder that was used as people use it, then
/// <c>mnemo serve</c> on the PostgreSQL copy: what an assistant connected before the move holds (an API key, an OAuth
/// access and refresh token) must keep working after it.
/// </summary>
[Trait("Provider", "Postgres")]
public sealed class DbMigrateTests(ITestOutputHelper output) : IAsyncLifetime
{
    // A fixed public URL: tokens name their issuer and audience, and the two servers listen on different ports.
    private const string PublicUrl = "http://mnemo.example.test";

    // Trust authentication ignores it; it is there to prove that the verb never prints it.
    private const string TargetPassword = "never-printed-9f3c";

    private static readonly string[] Tables =
    [
        "users", "api_keys", "oauth_server_keys", "audit_events", "auth_secrets", "data_protection_keys",
        "OpenIddictApplications", "OpenIddictAuthorizations", "OpenIddictScopes", "OpenIddictTokens",
        "memories", "memory_tags", "memory_history", "memory_access_log", "memory_embeddings", "memory_changes",
    ];

    private readonly string _dataDir = Directory.CreateTempSubdirectory("mnemo-db-migrate-").FullName;
    private string _target = "";

    public async Task InitializeAsync() => _target = await TestPostgres.CreateDatabaseAsync();

    public async Task DisposeAsync()
    {
        await TestPostgres.DropDatabaseAsync(_target);
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
            // Leftovers in the temp folder are harmless.
        }
    }

    [Fact]
    public async Task Migrate_CopiesEveryTable_AndOnPostgresTheSameApiKeyAccessTokenAndRefreshTokenKeepWorking_AndASecondRunIsRefused()
    {
        var before = await UseOnSqliteAsync();
        var counts = await SqliteCountsAsync();
        Assert.All(["users", "api_keys", "OpenIddictApplications", "OpenIddictAuthorizations", "OpenIddictTokens", "data_protection_keys",
            "oauth_server_keys", "audit_events", "memories", "memory_tags", "memory_history", "memory_access_log", "memory_embeddings", "memory_changes"],
            table => Assert.True(counts[table] > 0, $"the test data has no {table}"));

        var migrated = await MnemoProcess.RunAsync(null, "db", "migrate", "--data-dir", _dataDir, "--to-postgres", TargetWithPassword());
        output.WriteLine(migrated.StdOut + migrated.StdErr);

        Assert.True(migrated.ExitCode == 0, migrated.StdErr);
        foreach (var table in Tables)
        {
            Assert.Matches($@"(?m)^{table}\s+{counts[table].ToString("N0", CultureInfo.InvariantCulture)}\s+ok$", migrated.StdOut);
        }

        Assert.Contains($"Copied 16 tables, {counts.Values.Sum():N0} rows; every table's row count and checksum match its source.", migrated.StdErr);
        Assert.Contains("Mnemo__Database__Provider=Postgres", migrated.StdErr);
        Assert.Contains("ConnectionStrings:Mnemo = ", migrated.StdErr);
        Assert.Contains("Password=<password>", migrated.StdErr);
        Assert.DoesNotContain(TargetPassword, migrated.StdOut + migrated.StdErr);
        Assert.Equal(counts, await PostgresCountsAsync());

        // The server, on PostgreSQL only (an empty data folder: nothing can come from the SQLite file).
        var emptyDataDir = Directory.CreateTempSubdirectory("mnemo-db-migrate-serve-").FullName;
        await using (var server = await MnemoProcess.StartServerAsync(emptyDataDir,
            new Dictionary<string, string> { ["Mnemo__Database__Provider"] = "Postgres", ["ConnectionStrings__Mnemo"] = _target },
            $"--Mnemo:PublicUrl={PublicUrl}"))
        {
            using var connector = new ConnectorDriver(server.BaseUrl, PublicUrl);
            Assert.Equal(before.MemoryIds, await ListMemoryIdsAsync(connector, server.BaseUrl, before.ApiKey));
            Assert.Equal(before.MemoryIds, await ListMemoryIdsAsync(connector, server.BaseUrl, before.AccessToken));

            using var refreshed = await connector.RefreshAsync(before.ClientId, before.RefreshToken);
            Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
            var newAccess = (await refreshed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString()!;
            await using var mcp = await ConnectAsync(connector, server.BaseUrl, newAccess);
            // New rows get new ids: the identity sequences were moved past the copied ones (the access log and the
            // change feed would collide on their first insert otherwise).
            (await mcp.CallAsync("add_memories", new { memories = new[] { "Alice moved her memories to PostgreSQL." } })).EnsureOk();
            Assert.Equal(before.MemoryIds.Count + 1, (await ListMemoryIdsAsync(connector, server.BaseUrl, newAccess)).Count);
        }

        Directory.Delete(emptyDataDir, recursive: true);
        var afterServe = await PostgresCountsAsync();
        var again = await MnemoProcess.RunAsync(null, "db", "migrate", "--data-dir", _dataDir, "--to-postgres", TargetWithPassword());

        Assert.Equal(1, again.ExitCode);
        Assert.Equal("", again.StdOut);
        Assert.Contains("is not empty: ", again.StdErr);
        Assert.Contains($"memories has {afterServe["memories"]} rows", again.StdErr);
        Assert.Contains("nothing was changed", again.StdErr);
        Assert.DoesNotContain(TargetPassword, again.StdErr);
        Assert.Equal(afterServe, await PostgresCountsAsync());
    }

    [Theory]
    [InlineData("Host=;Password=" + TargetPassword)]
    [InlineData("Nonsense=1;Password=" + TargetPassword)]
    public async Task Migrate_RefusesSomethingThatIsNotAConnectionString_WithoutEchoingIt(string connectionString)
    {
        var result = await MnemoProcess.RunAsync(null, "db", "migrate", "--data-dir", _dataDir, "--to-postgres", connectionString);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--to-postgres is not a PostgreSQL connection string", result.StdErr);
        Assert.DoesNotContain(TargetPassword, result.StdErr);
    }

    [Fact]
    public async Task Migrate_RefusesAStrayArgument_WithoutEchoingIt_AndAFolderWithoutADatabase()
    {
        var stray = await MnemoProcess.RunAsync(null, "db", "migrate", "--data-dir", _dataDir, "--to-postgres", _target, "Password=" + TargetPassword);
        Assert.Equal(2, stray.ExitCode);
        Assert.DoesNotContain(TargetPassword, stray.StdErr);

        var missing = await MnemoProcess.RunAsync(null, "db", "migrate", "--data-dir", Path.Combine(_dataDir, "nothing-here"), "--to-postgres", _target);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("there is no database to copy", missing.StdErr);
        Assert.False(Directory.Exists(Path.Combine(_dataDir, "nothing-here")));
    }

    private sealed record Installation(string ApiKey, string ClientId, string AccessToken, string RefreshToken, IReadOnlyList<string> MemoryIds);

    /// <summary>
    /// An account with a password, an API key, an assistant connected over OAuth (client, grant, access and refresh
    /// token), memories with tags written through both, one edited (history), listed and searched (access log), with
    /// their vectors computed (embeddings).
    /// </summary>
    private async Task<Installation> UseOnSqliteAsync()
    {
        await using var server = await OAuthTestServer.StartAsync(new Dictionary<string, string?> { ["Mnemo:PublicUrl"] = PublicUrl }, store: TestDataStore.OnSqliteFolder(_dataDir));
        await server.CreateUserAsync("alice");
        string apiKey;
        await using (var scope = server.Services.CreateAsyncScope())
        {
            apiKey = (await scope.ServiceProvider.GetRequiredService<IApiKeyService>().CreateAsync("alice", "laptop")).Secret;
        }

        using var connector = new ConnectorDriver(server);
        var (clientId, tokens) = await connector.ConnectAsync("alice");
        var access = tokens.GetProperty("access_token").GetString()!;
        await using (var viaKey = await ConnectAsync(connector, server.BaseUrl, apiKey))
        {
            (await viaKey.CallAsync("add_memories", new { memories = new[] { "Alice keeps bees.", "Alice's hives are on the roof." }, tags = new[] { "bees", "home" } })).EnsureOk();
            (await viaKey.CallAsync("add_memories", new { memories = new[] { "Alice prefers green tea." }, occurred_at = "2025-03-14T09:30:00Z" })).EnsureOk();
        }

        await using (var viaOAuth = await ConnectAsync(connector, server.BaseUrl, access))
        {
            var added = (await viaOAuth.CallAsync("add_memories", new { memories = new[] { "Alice's sister is called Bea." }, tags = new[] { "family" } })).EnsureOk();
            var id = added.Structured().GetProperty("results")[0].GetProperty("id").GetString()!;
            (await viaOAuth.CallAsync("update_memory", new { id, text = "Alice's sister is called Beatrice." })).EnsureOk();
            (await viaOAuth.CallAsync("search_memory", new { query = "bees" })).EnsureOk();
        }

        var ids = await ListMemoryIdsAsync(connector, server.BaseUrl, apiKey);
        await WaitForEmbeddingsAsync(ids.Count);
        return new Installation(apiKey, clientId, access, tokens.GetProperty("refresh_token").GetString()!, ids);
    }

    private static async Task<List<string>> ListMemoryIdsAsync(ConnectorDriver connector, Uri socket, string bearer)
    {
        await using var mcp = await ConnectAsync(connector, socket, bearer);
        var page = (await mcp.CallAsync("list_memories", new { limit = 100 })).EnsureOk().Structured();
        return [.. page.GetProperty("memories").EnumerateArray().Select(m => m.GetProperty("id").GetString()!).Order(StringComparer.Ordinal)];
    }

    /// <summary>An MCP client through the connector's HTTP client, which sends the public URL's Host.</summary>
    private static async Task<McpClient> ConnectAsync(ConnectorDriver connector, Uri socket, string bearer)
    {
        var transport = new HttpClientTransport(
            new HttpClientTransportOptions
            {
                Endpoint = new Uri(socket, "/mcp"),
                AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = $"Bearer {bearer}" },
            },
            connector.Http);
        return await McpClient.CreateAsync(transport, new McpClientOptions { ClientInfo = new Implementation { Name = "migrate-test", Version = "1.0" } });
    }

    /// <summary>Vectors are computed in the background once the embedding model is loaded.</summary>
    private async Task WaitForEmbeddingsAsync(int memories)
    {
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while ((await SqliteCountsAsync())["memory_embeddings"] < memories)
        {
            Assert.True(DateTime.UtcNow < deadline, "no vectors were computed within 120 s");
            await Task.Delay(250);
        }
    }

    private string TargetWithPassword() => new NpgsqlConnectionStringBuilder(_target) { Password = TargetPassword }.ConnectionString;

    private async Task<Dictionary<string, long>> SqliteCountsAsync()
    {
        await using var connection = new SqliteConnection(DataDirectory.ConnectionString(_dataDir));
        await connection.OpenAsync();
        return await CountsAsync(connection);
    }

    private async Task<Dictionary<string, long>> PostgresCountsAsync()
    {
        await using var connection = new NpgsqlConnection(_target);
        await connection.OpenAsync();
        return await CountsAsync(connection);
    }

    private static async Task<Dictionary<string, long>> CountsAsync(System.Data.Common.DbConnection connection)
    {
        var counts = new Dictionary<string, long>();
        foreach (var table in Tables)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT count(*) FROM \"{table}\"";
            counts[table] = Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
        }

        return counts;
    }
}
