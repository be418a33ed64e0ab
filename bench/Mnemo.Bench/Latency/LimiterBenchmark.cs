using System.Globalization;
using System.Text.Json.Nodes;

namespace Mnemo.Bench.Latency;

/// <summary>
/// What the authorization server's rate limiter costs an MCP call: two <c>mnemo serve</c> processes, one with the
/// limiter and one with <c>Mnemo:Auth:RateLimits:Enabled=false</c>, measured in interleaved rounds of the MCP floor
/// (<c>list_memories</c> limit 1 through a minimal JSON-RPC client), so drift on the shared cores hits both alike.
///   dotnet build -c Release src/Mnemo.Server &amp;&amp; dotnet run -c Release --project bench/Mnemo.Bench -- limiter [--rounds 10] [--calls 200]
/// </summary>
internal static class LimiterBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var rounds = int.Parse(Option(args, "--rounds") ?? "10", CultureInfo.InvariantCulture);
        var calls = int.Parse(Option(args, "--calls") ?? "200", CultureInfo.InvariantCulture);
        var dll = ServerUnderTest.LocateDll(Option(args, "--server"));
        string[] keywordOnly = ["--Mnemo:Memory:Embeddings:Provider=None"];

        await using var with = await StartAsync(dll, keywordOnly);
        await using var without = await StartAsync(dll, [.. keywordOnly, "--Mnemo:Auth:RateLimits:Enabled=false"]);
        var statsWith = new LatencyStats("MCP floor, limiter on");
        var statsWithout = new LatencyStats("MCP floor, limiter off");
        for (var warm = 0; warm < 100; warm++)
        {
            await with.Client.CallToolAsync("list_memories", Floor());
            await without.Client.CallToolAsync("list_memories", Floor());
        }

        for (var round = 0; round < rounds; round++)
        {
            // Alternate which side goes first, so neither always runs on a warmer machine.
            var (first, firstStats, second, secondStats) = round % 2 == 0
                ? (with, statsWith, without, statsWithout)
                : (without, statsWithout, with, statsWith);
            await firstStats.MeasureAsync(calls, _ => first.Client.CallToolAsync("list_memories", Floor()));
            await secondStats.MeasureAsync(calls, _ => second.Client.CallToolAsync("list_memories", Floor()));
        }

        Console.WriteLine(statsWith);
        Console.WriteLine(statsWithout);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"limiter on / off: p50 {statsWith.Percentile(0.50) / statsWithout.Percentile(0.50):F3}, p95 {statsWith.Percentile(0.95) / statsWithout.Percentile(0.95):F3} ({rounds} interleaved rounds of {calls} calls each)"));
        return 0;
    }

    private static JsonObject Floor() => new() { ["limit"] = 1 };

    private static async Task<Side> StartAsync(string dll, IReadOnlyList<string> serverArgs)
    {
        var dataDir = Directory.CreateTempSubdirectory("mnemo-limiter-").FullName;
        var server = await ServerUnderTest.StartAsync(dll, dataDir, serverArgs);
        await server.CliAsync("users", "add", "bench");
        var key = (await server.CliAsync("keys", "create", "bench")).Trim();
        var client = await RawMcpClient.ConnectAsync(new Uri(server.BaseUrl, "/mcp"), key);
        await client.CallToolAsync("add_memories", new JsonObject { ["memories"] = new JsonArray("The bench prefers tea.") });
        return new Side(server, client, dataDir);
    }

    private static string? Option(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }

    private sealed record Side(ServerUnderTest Server, RawMcpClient Client, string DataDir) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await Server.DisposeAsync();
            try
            {
                Directory.Delete(DataDir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
