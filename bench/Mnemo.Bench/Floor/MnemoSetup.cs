using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Mnemo.Bench.Latency;

namespace Mnemo.Bench.Floor;

/// <summary>
/// Prepares a running <c>mnemo serve</c> for the floor rows the way a person would: an account made with the CLI
/// (password on standard input), an API key from <c>keys create</c>, an OAuth access token through the real
/// connector flow, and memories for the user.
/// </summary>
internal static class MnemoSetup
{
    public const string UserName = "bench";

    /// <summary>The account and its API key; returns (password, key).</summary>
    public static async Task<(string Password, string ApiKey)> CreateUserAsync(ServerUnderTest server)
    {
        var password = Convert.ToBase64String(RandomNumberGenerator.GetBytes(18));
        await server.CliWithInputAsync(password + "\n", "users", "add", UserName, "--password-stdin");
        var key = (await server.CliAsync("keys", "create", UserName)).Trim();
        return (password, key);
    }

    public static async Task<string> OAuthTokenAsync(ServerUnderTest server, string password)
    {
        using var connector = new OAuthConnector(server.BaseUrl);
        return await connector.ConnectAsync(UserName, password);
    }

    /// <summary>
    /// A few memories through MCP (the real model embeds them), then the rest up to <paramref name="total"/> written
    /// straight into the SQLite file with synthetic vectors under the real model's id, as the latency bench pre-fills
    /// (writing 10k through the model would take minutes on two cores). The running server needs no restart: its
    /// search cache follows the change feed, and a user's indexes load on their first search.
    /// </summary>
    public static async Task SeedAsync(ServerUnderTest server, string apiKey, int total)
    {
        var synthetic = new SyntheticMemories(seed: 42);
        const int throughMcp = 5;
        var add = await McpPost.SendAsync(new Uri(server.BaseUrl, "/mcp"),
            CallShape.Classic.Body(1, "add_memories", new JsonObject { ["memories"] = new JsonArray([.. Enumerable.Range(0, throughMcp).Select(_ => (JsonNode?)synthetic.Next())]) }),
            CallShape.Classic.Headers(apiKey, "add_memories"));
        if (add.Result is null)
        {
            throw new InvalidOperationException($"seeding: add_memories failed: {add}");
        }

        var clock = Stopwatch.StartNew();
        var connection = $"Data Source={Path.Combine(server.DataDir, "mnemo.db")};Default Timeout=30";
        await LatencyBenchmark.PrefillAsync(connection, UserId(connection), throughMcp, total, synthetic);
        Console.WriteLine($"   {UserName} has {Math.Max(total, throughMcp)} memories ({throughMcp} through MCP, the rest pre-filled in {clock.Elapsed.TotalSeconds:0} s)");
    }

    /// <summary>The bench user's opaque id, from the memories it now has (the only user with any).</summary>
    private static string UserId(string connectionString)
    {
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT DISTINCT user_id FROM memories";
        using var reader = command.ExecuteReader();
        var users = new List<string>();
        while (reader.Read())
        {
            users.Add(reader.GetString(0));
        }

        return users.Count == 1 ? users[0] : throw new InvalidOperationException($"seeding: expected one user with memories, found {users.Count}");
    }
}
