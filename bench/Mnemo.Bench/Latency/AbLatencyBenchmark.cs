using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;

namespace Mnemo.Bench.Latency;

/// <summary>
/// Two builds of <c>mnemo serve</c> side by side (e.g. main and a refactoring branch), each on its own data folder with
/// the same memories, measured in interleaved rounds through a minimal JSON-RPC client: on shared cores the load of
/// the moment hits both alike, which separate runs minutes apart cannot promise. Prints each side's p50/p95, the
/// ratio B/A of the pooled percentiles, and the median of the per-round p50 ratios (robust to drift within the run).
///   dotnet run -c Release --project bench/Mnemo.Bench -- latency-ab --server-a OTHER/mnemo.dll [--server-b PATH/mnemo.dll]
///       [--sizes 1000,10000] [--rounds 10] [--calls 60] [--server-args "--Key=Value ..."]
/// Both servers must share the memory schema: this bench pre-fills both with its own build of the memory module.
/// </summary>
internal static class AbLatencyBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var a = Option(args, "--server-a") ?? throw new ArgumentException("--server-a PATH/mnemo.dll is required (the build to compare against)");
        var b = ServerUnderTest.LocateDll(Option(args, "--server-b"));
        var sizes = (Option(args, "--sizes") ?? "1000,10000").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var rounds = int.Parse(Option(args, "--rounds") ?? "10", CultureInfo.InvariantCulture);
        var calls = int.Parse(Option(args, "--calls") ?? "60", CultureInfo.InvariantCulture);
        IReadOnlyList<string> serverArgs = (Option(args, "--server-args") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var keywordOnly = serverArgs.Any(s => s.Contains("Embeddings:Provider=None", StringComparison.OrdinalIgnoreCase));

        await using var sideA = await Side.StartAsync("A", Path.GetFullPath(a), serverArgs, keywordOnly);
        await using var sideB = await Side.StartAsync("B", b, serverArgs, keywordOnly);
        Side[] sides = [sideA, sideB];
        Console.WriteLine($"A = {sideA.Server.Dll}\nB = {sideB.Server.Dll}\n{Environment.ProcessorCount} cores, {rounds} interleaved rounds per measure");

        // Ingest: the same texts on both sides, batches of 50 through the model.
        await CompareAsync(sides, "add_memories (50 memories)", rounds, 2, (side, i) =>
            side.Client.CallToolAsync("add_memories", new JsonObject { ["memories"] = new JsonArray([.. Enumerable.Range(0, 50).Select(_ => (JsonNode?)side.Texts.Next())]) }));
        await CompareAsync(sides, "list_memories (MCP floor)", rounds, calls, (side, _) =>
            side.Client.CallToolAsync("list_memories", new JsonObject { ["limit"] = 1 }));

        foreach (var size in sizes)
        {
            foreach (var side in sides)
            {
                await side.FillToAsync(size);
            }

            var queries = new SyntheticMemories(seed: 99);
            var list = Enumerable.Range(0, calls).Select(_ => queries.Query()).ToArray();
            foreach (var side in sides)
            {
                // A user's first search loads their indexes; the JIT settles after ~30 calls.
                for (var i = 0; i < 50; i++)
                {
                    await side.Client.CallToolAsync("search_memory", new JsonObject { ["query"] = list[i % list.Length] });
                }
            }

            await CompareAsync(sides, $"search_memory @ {size} memories", rounds, calls, (side, i) =>
                side.Client.CallToolAsync("search_memory", new JsonObject { ["query"] = list[i], ["limit"] = 10 }));
        }

        foreach (var side in sides)
        {
            Console.WriteLine($"server RSS {side.Name}: {side.Server.ResidentBytes() / (1024.0 * 1024):F0} MiB");
        }

        return 0;
    }

    private static async Task CompareAsync(Side[] sides, string name, int rounds, int calls, Func<Side, int, Task> call)
    {
        var pooled = sides.Select(s => new LatencyStats($"{name} [{s.Name}]")).ToArray();
        var ratios = new List<double>();
        for (var round = 0; round < rounds; round++)
        {
            var perRound = new double[sides.Length];
            // Alternate which side goes first, so neither always runs right after the other's work.
            foreach (var index in round % 2 == 0 ? new[] { 0, 1 } : [1, 0])
            {
                var stats = new LatencyStats("round");
                await stats.MeasureAsync(calls, i => call(sides[index], i));
                pooled[index].Add(stats);
                perRound[index] = stats.Percentile(0.50);
            }

            ratios.Add(perRound[1] / perRound[0]);
        }

        ratios.Sort();
        foreach (var stats in pooled)
        {
            Console.WriteLine(stats);
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  B/A: p50 {pooled[1].Percentile(0.50) / pooled[0].Percentile(0.50):F3}, p95 {pooled[1].Percentile(0.95) / pooled[0].Percentile(0.95):F3}, median of per-round p50 ratios {ratios[ratios.Count / 2]:F3}"));
    }

    private static string? Option(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }

    private sealed class Side(string name, ServerUnderTest server, RawMcpClient client, string userId) : IAsyncDisposable
    {
        private int _memories = 1;

        public string Name { get; } = name;
        public ServerUnderTest Server { get; } = server;
        public RawMcpClient Client { get; } = client;

        /// <summary>The texts this side adds; the same seed on both sides, so both hold the same memories.</summary>
        public SyntheticMemories Texts { get; } = new(seed: 42);

        private SyntheticMemories Prefill { get; } = new(seed: 7);

        public static async Task<Side> StartAsync(string name, string dll, IReadOnlyList<string> serverArgs, bool keywordOnly)
        {
            var dataDir = Directory.CreateTempSubdirectory($"mnemo-ab-{name}-").FullName;
            var server = await ServerUnderTest.StartAsync(dll, dataDir, serverArgs);
            if (!keywordOnly)
            {
                await LatencyBenchmark.WaitForModelAsync(server, TimeSpan.FromMinutes(3));
            }

            await server.CliAsync("users", "add", "bench");
            var key = (await server.CliAsync("keys", "create", "bench")).Trim();
            var client = await RawMcpClient.ConnectAsync(new Uri(server.BaseUrl, "/mcp"), key);
            await client.CallToolAsync("add_memories", new JsonObject { ["memories"] = new JsonArray("The bench prefers tea.") });
            using var connection = new SqliteConnection($"Data Source={Path.Combine(dataDir, "mnemo.db")};Mode=ReadOnly");
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT user_id FROM memories LIMIT 1";
            return new Side(name, server, client, (string)command.ExecuteScalar()!);
        }

        /// <summary>Adds 100 per add_memories call counted, then pre-fills in-process up to <paramref name="size"/>.</summary>
        public async Task FillToAsync(int size)
        {
            using (var connection = new SqliteConnection($"Data Source={Path.Combine(Server.DataDir, "mnemo.db")};Mode=ReadOnly"))
            {
                connection.Open();
                using var command = connection.CreateCommand();
                command.CommandText = "SELECT COUNT(*) FROM memories";
                _memories = Convert.ToInt32(command.ExecuteScalar(), CultureInfo.InvariantCulture);
            }

            var connectionString = $"Data Source={Path.Combine(Server.DataDir, "mnemo.db")};Default Timeout=30";
            await LatencyBenchmark.PrefillAsync(connectionString, userId, _memories, size, Prefill);
            SqliteConnection.ClearAllPools();
        }

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await Server.DisposeAsync();
            try
            {
                Directory.Delete(Server.DataDir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
