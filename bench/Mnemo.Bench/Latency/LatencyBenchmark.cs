using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Mnemo.Memory;
using Mnemo.Memory.Memories;
using Mnemo.Memory.Search.Embeddings;

namespace Mnemo.Bench.Latency;

/// <summary>
/// Latency over HTTP: one sequential MCP client with an API key against the real <c>mnemo serve</c> process and its
/// local model. Measures ingest throughput (single adds and batches of 50; an acknowledged memory is searchable by
/// keyword and vectors at once), search_memory p50/p95 at growing numbers of memories of one user while another user
/// has memories too, and the server's RSS with the model loaded. Calls are timed twice: through the official C# SDK
/// client (the path an assistant built on it takes) and through <see cref="RawMcpClient"/>, whose own cost on the
/// shared cores is small. Memories beyond the ingest phase are pre-filled
/// straight into the database file (synthetic texts, synthetic vectors under the real model's id): writing 100k
/// through the model would take most of an hour on two cores.
/// </summary>
internal static class LatencyBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var sizes = (Option(args, "--sizes") ?? "1000,10000,100000").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var queries = int.Parse(Option(args, "--queries") ?? "300", CultureInfo.InvariantCulture);
        var adds = int.Parse(Option(args, "--adds") ?? "100", CultureInfo.InvariantCulture);
        var otherMemories = int.Parse(Option(args, "--other-user") ?? "20000", CultureInfo.InvariantCulture);
        var dll = ServerUnderTest.LocateDll(Option(args, "--server"));
        // Extra configuration for the server, e.g. --server-args "--Mnemo:Memory:Search:DenseWeight=0.3".
        IReadOnlyList<string> serverArgs = (Option(args, "--server-args") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var dataDir = Directory.CreateTempSubdirectory("mnemo-latency-").FullName;
        var synthetic = new SyntheticMemories(seed: 42);
        try
        {
            var clock = Stopwatch.StartNew();
            await using var server = await ServerUnderTest.StartAsync(dll, dataDir, serverArgs);
            Console.WriteLine($"server up in {clock.ElapsedMilliseconds} ms; {Environment.ProcessorCount} cores");
            if (!serverArgs.Any(a => a.Contains("Embeddings:Provider=None", StringComparison.OrdinalIgnoreCase)))
            {
                await WaitForModelAsync(server, TimeSpan.FromMinutes(3));
                Console.WriteLine($"embedding model ready {clock.ElapsedMilliseconds} ms after start (start-up did not wait for it)");
            }
            else
            {
                Console.WriteLine("keyword search only (Mnemo:Memory:Embeddings:Provider=None)");
            }

            await server.CliAsync("users", "add", "bench");
            await server.CliAsync("users", "add", "other");
            var benchKey = (await server.CliAsync("keys", "create", "bench")).Trim();
            var otherKey = (await server.CliAsync("keys", "create", "other")).Trim();
            await using var other = await ConnectAsync(server, otherKey);
            await using var bench = await ConnectAsync(server, benchKey);
            using var raw = await RawMcpClient.ConnectAsync(new Uri(server.BaseUrl, "/mcp"), benchKey);

            // The floor: an HTTP round trip that does no work.
            using (var http = new HttpClient { BaseAddress = server.BaseUrl })
            {
                var floor = new LatencyStats("GET /health (HTTP floor)");
                await floor.MeasureAsync(queries, async _ => (await http.GetAsync("/health")).EnsureSuccessStatusCode());
                Console.WriteLine(floor);
            }

            // Ingest, on the other user; "added" means committed to both indexes.
            var single = new LatencyStats("add_memories (1 memory)");
            await single.MeasureAsync(adds, _ => CallAsync(other, "add_memories", new() { ["memories"] = new[] { synthetic.Next() } }));
            var batched = new LatencyStats("add_memories (50 memories)");
            await batched.MeasureAsync(Math.Max(1, adds / 5), _ => CallAsync(other, "add_memories", new() { ["memories"] = Enumerable.Range(0, 50).Select(_ => synthetic.Next()).ToArray() }));
            Console.WriteLine(single);
            Console.WriteLine(batched);
            Console.WriteLine($"ingest throughput: single {single.CallsPerSecond:F0} memories/s, batches of 50 {batched.CallsPerSecond * 50:F0} memories/s");

            await CallAsync(bench, "add_memories", new() { ["memories"] = new[] { synthetic.Next() } });
            var (benchUser, otherUser) = UserIds(dataDir);
            var connection = $"Data Source={Path.Combine(dataDir, "mnemo.db")};Default Timeout=30";
            var otherHas = adds + Math.Max(1, adds / 5) * 50;
            await PrefillAsync(connection, otherUser, otherHas, otherMemories, synthetic);
            Console.WriteLine($"other user: {Math.Max(otherHas, otherMemories)} memories");

            var have = 1;
            foreach (var size in sizes)
            {
                await PrefillAsync(connection, benchUser, have, size, synthetic);
                have = Math.Max(have, size);
                // Warm-up: a user's first search loads its indexes into memory, and the JIT optimises hot code after
                // about 30 calls (a server that has run a while is measured, not its first minute).
                for (var i = 0; i < 50; i++)
                {
                    await CallAsync(bench, "search_memory", new() { ["query"] = synthetic.Query() });
                }

                if (size == sizes[0])
                {
                    // The MCP floor: authentication, tool dispatch and one small database read.
                    for (var i = 0; i < 50; i++)
                    {
                        await CallAsync(bench, "list_memories", new() { ["limit"] = 1 });
                        await raw.CallToolAsync("list_memories", new() { ["limit"] = 1 });
                    }

                    var floorMcp = new LatencyStats("list_memories (limit 1, MCP floor)");
                    await floorMcp.MeasureAsync(queries, _ => CallAsync(bench, "list_memories", new() { ["limit"] = 1 }));
                    Console.WriteLine(floorMcp);
                    var floorRaw = new LatencyStats("  same, minimal JSON-RPC client");
                    await floorRaw.MeasureAsync(queries, _ => raw.CallToolAsync("list_memories", new() { ["limit"] = 1 }));
                    Console.WriteLine(floorRaw);
                }

                var search = new LatencyStats($"search_memory @ {have} memories");
                await search.MeasureAsync(queries, _ => CallAsync(bench, "search_memory", new() { ["query"] = synthetic.Query(), ["limit"] = 10 }));
                Console.WriteLine(search);
                var searchRaw = new LatencyStats("  same, minimal JSON-RPC client");
                await searchRaw.MeasureAsync(queries, _ => raw.CallToolAsync("search_memory", new() { ["query"] = synthetic.Query(), ["limit"] = 10 }));
                Console.WriteLine(searchRaw);
            }

            var model = serverArgs.Any(a => a.Contains("Embeddings:Provider=None", StringComparison.OrdinalIgnoreCase)) ? "without a model" : "with the model loaded";
            Console.WriteLine($"server RSS {model}, {have} + {Math.Max(otherHas, otherMemories)} memories: {server.ResidentBytes() / (1024.0 * 1024):F0} MiB");
            return 0;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(dataDir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    internal static async Task WaitForModelAsync(ServerUnderTest server, TimeSpan timeout)
    {
        using var http = new HttpClient { BaseAddress = server.BaseUrl };
        for (var deadline = DateTime.UtcNow + timeout; DateTime.UtcNow < deadline; await Task.Delay(200))
        {
            var status = await http.GetFromJsonAsync<JsonElement>("/status");
            if (status.GetProperty("components").TryGetProperty("search", out var search)
                && search.GetProperty("detail").GetString()?.StartsWith("keyword + semantic", StringComparison.Ordinal) == true)
            {
                return;
            }
        }

        throw new TimeoutException("the embedding model did not become ready; /status: " + await http.GetStringAsync("/status"));
    }

    private static async Task<McpClient> ConnectAsync(ServerUnderTest server, string key) =>
        await McpClient.CreateAsync(
            new HttpClientTransport(new HttpClientTransportOptions
            {
                Endpoint = new Uri(server.BaseUrl, "/mcp"),
                AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = $"Bearer {key}" },
            }),
            new McpClientOptions { ClientInfo = new Implementation { Name = "mnemo-bench", Version = "1.0" } });

    private static async Task CallAsync(McpClient client, string tool, Dictionary<string, object?> arguments)
    {
        var result = await client.CallToolAsync(tool, arguments);
        if (result.IsError == true)
        {
            throw new InvalidOperationException($"{tool} failed: {string.Join(' ', result.Content.OfType<TextContentBlock>().Select(b => b.Text))}");
        }
    }

    /// <summary>Writes memories in-process (batches of 50, neighbours as usual) until the user has <paramref name="target"/>.</summary>
    internal static async Task PrefillAsync(string connectionString, string userId, int have, int target, SyntheticMemories synthetic)
    {
        if (have >= target)
        {
            return;
        }

        var services = new ServiceCollection();
        services.AddLogging(l => l.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton<IEmbeddingService, FakeEmbeddingService>();
        services.AddMnemoMemory(connectionString, o => o.DeduplicationThreshold = 2);
        await using var provider = services.BuildServiceProvider();
        var memories = provider.GetRequiredService<IMemoryService>();
        var caller = new MemoryCaller(userId, "bench-prefill");
        var clock = Stopwatch.StartNew();
        var start = DateTimeOffset.UtcNow.AddYears(-3);
        for (var n = have; n < target; n += 50)
        {
            var batch = Enumerable.Range(n, Math.Min(50, target - n)).Select(i => new NewMemory(synthetic.Next(), OccurredAt: start.AddMinutes(i))).ToList();
            await memories.AddAsync(caller, batch);
        }

        Console.Error.WriteLine($"  (pre-filled {target - have} memories in {clock.Elapsed.TotalSeconds:F0} s)");
    }

    /// <summary>The opaque user ids, read from the file: the bench user has 1 memory at this point, the other many.</summary>
    private static (string Bench, string Other) UserIds(string dataDir)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(dataDir, "mnemo.db")};Mode=ReadOnly");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT user_id FROM memories GROUP BY user_id ORDER BY COUNT(*)";
        using var reader = command.ExecuteReader();
        var users = new List<string>();
        while (reader.Read())
        {
            users.Add(reader.GetString(0));
        }

        return (users[0], users[^1]);
    }

    private static string? Option(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }
}
