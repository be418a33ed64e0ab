using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mnemo.Bench.Latency;
using Npgsql;

namespace Mnemo.Bench.Scale;

/// <summary>
/// SQLite beside PostgreSQL, and one PostgreSQL instance beside three behind nginx, on the real <c>mnemo serve</c>.
/// <list type="number">
/// <item>Latency: one sequential minimal JSON-RPC client (<see cref="RawMcpClient"/>) straight to one instance, p50/p95
/// of <c>search_memory</c>, <c>add_memories</c> (one memory) and the MCP floor (<c>list_memories</c> limit 1), on each
/// provider, over the same synthetic memories.</item>
/// <item>Throughput: <c>wrk</c> (closed loop, fixed connections, fixed time) of <c>search_memory</c> and the floor against
/// SQLite (one instance), and PostgreSQL with one instance straight, one instance behind nginx and three instances
/// behind nginx (round robin).</item>
/// </list>
/// Every server runs with <c>Mnemo:Mcp:SessionMode=Stateless</c>, the mode a balancer without affinity needs (no
/// <c>initialize</c> per wrk connection). The PostgreSQL server comes from <c>--postgres</c> (an admin connection string;
/// default <c>MNEMO_BENCH_POSTGRES</c> or <c>MNEMO_TEST_POSTGRES</c>; <c>scripts/postgres.sh start</c> prints one); the
/// bench creates and drops its own database there.
///   dotnet build -c Release src/Mnemo.Server &amp;&amp; dotnet run -c Release --project bench/Mnemo.Bench -- scale
///       [--memories 2000] [--calls 300] [--duration 10] [--connections 16] [--threads 2] [--rounds 2] [--postgres CS]
///       [--server PATH/mnemo.dll] [--server-args "--Mnemo:Memory:Embeddings:Provider=None"]
/// </summary>
internal static class ScaleBenchmark
{
    private const int Instances = 3;

    public static async Task<int> RunAsync(string[] args)
    {
        var settings = new Settings(
            Memories: int.Parse(Option(args, "--memories") ?? "2000", CultureInfo.InvariantCulture),
            Calls: int.Parse(Option(args, "--calls") ?? "300", CultureInfo.InvariantCulture),
            Duration: TimeSpan.FromSeconds(int.Parse(Option(args, "--duration") ?? "10", CultureInfo.InvariantCulture)),
            Connections: int.Parse(Option(args, "--connections") ?? "16", CultureInfo.InvariantCulture),
            Threads: int.Parse(Option(args, "--threads") ?? "2", CultureInfo.InvariantCulture),
            Rounds: int.Parse(Option(args, "--rounds") ?? "2", CultureInfo.InvariantCulture),
            Dll: ServerUnderTest.LocateDll(Option(args, "--server")),
            ServerArgs: (Option(args, "--server-args") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries));
        var admin = Option(args, "--postgres") ?? Environment.GetEnvironmentVariable("MNEMO_BENCH_POSTGRES")
            ?? Environment.GetEnvironmentVariable("MNEMO_TEST_POSTGRES")
            ?? throw new ArgumentException("Name a PostgreSQL server: --postgres \"Host=127.0.0.1;Port=5433;Username=mnemo\" (scripts/postgres.sh start prints one)");

        Console.WriteLine($"{Environment.ProcessorCount} cores (servers, nginx, wrk and this client share them); {settings.Memories} memories of one user; " +
            $"{(settings.KeywordOnly ? "keyword search only" : "local embedding model loaded")}; MCP session mode Stateless; loopback only");
        Console.WriteLine($"load average at start: {LoadAverage()} (other work on the machine shares the cores too)");

        var sqlite = await MeasureSqliteAsync(settings);
        var postgres = await MeasurePostgresAsync(settings, admin);

        Console.WriteLine();
        Console.WriteLine($"== latency, one sequential client straight to one instance (n={settings.Calls} each), ms");
        Console.WriteLine($"{"call",-28} {"SQLite p50/p95",-18} {"PostgreSQL p50/p95",-20} PostgreSQL/SQLite (p50, p95)");
        foreach (var (name, s) in sqlite.Latency)
        {
            var p = postgres.Latency[name];
            Console.WriteLine($"{name,-28} {s.Percentile(0.5),6:0.00} / {s.Percentile(0.95),6:0.00}    {p.Percentile(0.5),6:0.00} / {p.Percentile(0.95),6:0.00}      " +
                $"{p.Percentile(0.5) / s.Percentile(0.5):0.00}×, {p.Percentile(0.95) / s.Percentile(0.95):0.00}×");
        }

        Console.WriteLine();
        Console.WriteLine($"== throughput, wrk -t{settings.Threads} -c{settings.Connections}, {settings.Duration.TotalSeconds:0} s per run, mean of {settings.Rounds} runs in rotated order, calls/s (p50 / p99 ms)");
        Console.WriteLine($"{"call",-28} {"SQLite 1",-20} {"PG 1 direct",-20} {"PG 1 via nginx",-20} {"PG 3 via nginx",-20} PG 3/1 (via nginx)");
        foreach (var (name, s) in sqlite.Throughput)
        {
            var p = postgres.Throughput[name];
            Console.WriteLine($"{name,-28} {Cell(s["direct"]),-20} {Cell(p["direct"]),-20} {Cell(p["nginx-1"]),-20} {Cell(p["nginx-3"]),-20} " +
                $"{p["nginx-3"].RequestsPerSecond / p["nginx-1"].RequestsPerSecond:0.00}×");
        }

        Console.WriteLine($"load average at end: {LoadAverage()}");
        var failed = sqlite.Throughput.Values.Concat(postgres.Throughput.Values).SelectMany(d => d.Values).Sum(r => r.Failed);
        if (failed > 0)
        {
            Console.WriteLine($"WARNING: {failed} calls failed under load (non-2xx or socket errors): the throughput above counts them");
        }

        return 0;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    private static string Cell(Wrk.Result r) => $"{r.RequestsPerSecond:0} ({r.P50Ms:0.0}/{r.P99Ms:0.0})";

    private static async Task<Measured> MeasureSqliteAsync(Settings settings)
    {
        var dataDir = Directory.CreateTempSubdirectory("mnemo-scale-bench-").FullName;
        try
        {
            var environment = new Dictionary<string, string> { ["Mnemo__Mcp__SessionMode"] = "Stateless" };
            await using var server = await ServerUnderTest.StartAsync(settings.Dll, dataDir, settings.ServerArgs, environment);
            var host = server.BaseUrl.Authority;
            var key = await CreateUserAsync(server);
            await WaitForModelAsync(settings, server.BaseUrl, host);
            Console.WriteLine("-- SQLite, one instance");
            var measured = new Measured();
            await MeasureLatencyAsync(settings, new Uri(server.BaseUrl, "/mcp"), host, key, measured);
            foreach (var (call, bodies) in LoadBodies())
            {
                var runs = new List<Wrk.Result>();
                for (var round = 0; round < settings.Rounds; round++)
                {
                    runs.Add(await LoadAsync(settings, $"{server.BaseUrl}mcp", host, key, bodies, $"SQLite, {call}, 1 instance"));
                }

                measured.Throughput[call] = new() { ["direct"] = Wrk.Result.Mean(runs) };
            }

            return measured;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            TryDelete(dataDir);
        }
    }

    private static async Task<Measured> MeasurePostgresAsync(Settings settings, string admin)
    {
        var database = $"mnemo_bench_{Guid.NewGuid():N}";
        var connectionString = new NpgsqlConnectionStringBuilder(admin) { Database = database }.ConnectionString;
        await ExecuteAsync(admin, $"CREATE DATABASE \"{database}\"");
        var dataDir = Directory.CreateTempSubdirectory("mnemo-scale-bench-").FullName;
        var servers = new List<ServerUnderTest>();
        try
        {
            // nginx: the public origin balances over all three instances; a second site puts instance 0 alone behind it.
            var (allPort, onePort) = (ServerUnderTest.FreePort(), ServerUnderTest.FreePort());
            var host = $"127.0.0.1:{allPort}";
            var environment = new Dictionary<string, string>
            {
                ["Mnemo__Mcp__SessionMode"] = "Stateless",
                ["Mnemo__Database__Provider"] = "Postgres",
                ["ConnectionStrings__Mnemo"] = connectionString,
                ["Mnemo__PublicUrl"] = $"http://{host}",
                ["Mnemo__ForwardedHeaders__KnownProxies__0"] = "127.0.0.1",
            };
            var clock = Stopwatch.StartNew();
            servers.AddRange(await Task.WhenAll(Enumerable.Range(0, Instances).Select(_ =>
                ServerUnderTest.StartAsync(settings.Dll, dataDir, settings.ServerArgs, environment))));
            Console.WriteLine($"-- PostgreSQL, {Instances} instances up in {clock.ElapsedMilliseconds} ms (started together)");
            var key = await CreateUserAsync(servers[0]);
            await Task.WhenAll(servers.Select(s => WaitForModelAsync(settings, s.BaseUrl, host)));
            await using var nginx = await Nginx.StartAsync(
                [(allPort, [.. servers.Select(s => s.BaseUrl.Port)]), (onePort, [servers[0].BaseUrl.Port])], host);

            var measured = new Measured();
            await MeasureLatencyAsync(settings, new Uri(servers[0].BaseUrl, "/mcp"), host, key, measured);
            // Every instance keeps its own in-memory search index: load it on each before the balanced runs.
            foreach (var server in servers.Skip(1))
            {
                using var client = await RawMcpClient.ConnectAsync(new Uri(server.BaseUrl, "/mcp"), key, host);
                var queries = new SyntheticMemories(seed: 7);
                for (var i = 0; i < 50; i++)
                {
                    await client.CallToolAsync("search_memory", new JsonObject { ["query"] = queries.Query() });
                }
            }

            // The three set-ups take turns, in a rotated order each round, so drift on the shared cores (warm-up, other
            // work) does not favour whichever runs last.
            (string Name, string Url, string? Host, string Label)[] setups =
            [
                ("direct", $"{servers[0].BaseUrl}mcp", host, "1 instance, direct"),
                ("nginx-1", $"http://127.0.0.1:{onePort}/mcp", null, "1 instance via nginx"),
                ("nginx-3", $"http://{host}/mcp", null, $"{Instances} instances via nginx"),
            ];
            foreach (var (call, bodies) in LoadBodies())
            {
                var runs = setups.ToDictionary(s => s.Name, _ => new List<Wrk.Result>());
                for (var round = 0; round < settings.Rounds; round++)
                {
                    foreach (var setup in setups.Skip(round % setups.Length).Concat(setups.Take(round % setups.Length)))
                    {
                        runs[setup.Name].Add(await LoadAsync(settings, setup.Url, setup.Host, key, bodies, $"PostgreSQL, {call}, {setup.Label}"));
                    }
                }

                measured.Throughput[call] = runs.ToDictionary(r => r.Key, r => Wrk.Result.Mean(r.Value));
            }

            return measured;
        }
        finally
        {
            foreach (var server in servers)
            {
                await server.DisposeAsync();
            }

            NpgsqlConnection.ClearAllPools();
            await ExecuteAsync(admin, $"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)");
            TryDelete(dataDir);
        }
    }

    /// <summary>Fills the user's memories through MCP, then times search, the floor and single adds, one call at a time.</summary>
    private static async Task MeasureLatencyAsync(Settings settings, Uri mcp, string host, string key, Measured measured)
    {
        using var client = await RawMcpClient.ConnectAsync(mcp, key, host);
        var texts = new SyntheticMemories(seed: 42);
        var clock = Stopwatch.StartNew();
        for (var n = 0; n < settings.Memories; n += 50)
        {
            await client.CallToolAsync("add_memories", new JsonObject
            {
                ["memories"] = new JsonArray([.. Enumerable.Range(0, Math.Min(50, settings.Memories - n)).Select(_ => (JsonNode?)texts.Next())]),
            });
        }

        Console.WriteLine($"   {settings.Memories} memories written in {clock.Elapsed.TotalSeconds:0.0} s (batches of 50)");
        var queries = new SyntheticMemories(seed: 99);
        // A user's first search loads the indexes; the JIT settles after ~30 calls.
        for (var i = 0; i < 50; i++)
        {
            await client.CallToolAsync("search_memory", new JsonObject { ["query"] = queries.Query() });
            await client.CallToolAsync("list_memories", new JsonObject { ["limit"] = 1 });
        }

        var search = new LatencyStats("search_memory");
        await search.MeasureAsync(settings.Calls, _ => client.CallToolAsync("search_memory", new JsonObject { ["query"] = queries.Query(), ["limit"] = 10 }));
        var floor = new LatencyStats("list_memories (limit 1)");
        await floor.MeasureAsync(settings.Calls, _ => client.CallToolAsync("list_memories", new JsonObject { ["limit"] = 1 }));
        var add = new LatencyStats("add_memories (1 memory)");
        await add.MeasureAsync(settings.Calls, _ => client.CallToolAsync("add_memories", new JsonObject { ["memories"] = new JsonArray(texts.Next()) }));
        foreach (var stats in new[] { search, add, floor })
        {
            Console.WriteLine("   " + stats);
            measured.Latency[stats.Name] = stats;
        }
    }

    private static async Task<Wrk.Result> LoadAsync(Settings settings, string url, string? host, string key, IReadOnlyList<string> bodies, string label)
    {
        var headers = new Dictionary<string, string>
        {
            ["Authorization"] = $"Bearer {key}",
            ["Accept"] = "application/json, text/event-stream",
            ["Content-Type"] = "application/json",
            ["MCP-Protocol-Version"] = "2025-06-18",
        };
        if (host is not null)
        {
            headers["Host"] = host;
        }

        // Every body must be a successful call, or wrk would time errors.
        using (var check = new HttpClient())
        {
            foreach (var body in bodies.Take(3))
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
                foreach (var (name, value) in headers.Where(h => h.Key is not ("Content-Type" or "Host")))
                {
                    request.Headers.TryAddWithoutValidation(name, value);
                }

                if (host is not null)
                {
                    request.Headers.Host = host;
                }

                using var response = await check.SendAsync(request);
                var text = await response.Content.ReadAsStringAsync();
                if (!response.IsSuccessStatusCode || text.Contains("\"isError\":true", StringComparison.Ordinal) || !text.Contains("\"result\"", StringComparison.Ordinal))
                {
                    throw new InvalidOperationException($"{label}: a load request fails on its own ({(int)response.StatusCode}): {text}");
                }
            }
        }

        var result = await Wrk.RunAsync(url, bodies, headers, settings.Threads, settings.Connections, settings.Duration);
        Console.WriteLine($"   {label,-52} {result}");
        return result;
    }

    /// <summary>The requests of the load runs: varied searches, and the floor.</summary>
    private static IEnumerable<(string Call, IReadOnlyList<string> Bodies)> LoadBodies()
    {
        var queries = new SyntheticMemories(seed: 1234);
        yield return ("search_memory", [.. Enumerable.Range(0, 64).Select(i => ToolCall(i, "search_memory", new JsonObject { ["query"] = queries.Query(), ["limit"] = 10 }))]);
        yield return ("list_memories (limit 1)", [ToolCall(1, "list_memories", new JsonObject { ["limit"] = 1 })]);
    }

    private static string ToolCall(int id, string tool, JsonObject arguments) =>
        new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id + 1, ["method"] = "tools/call", ["params"] = new JsonObject { ["name"] = tool, ["arguments"] = arguments } }.ToJsonString();

    private static async Task<string> CreateUserAsync(ServerUnderTest server)
    {
        await server.CliAsync("users", "add", "bench");
        return (await server.CliAsync("keys", "create", "bench")).Trim();
    }

    private static async Task WaitForModelAsync(Settings settings, Uri baseUrl, string host)
    {
        if (settings.KeywordOnly)
        {
            return;
        }

        using var http = new HttpClient { BaseAddress = baseUrl };
        http.DefaultRequestHeaders.Host = host;
        for (var deadline = DateTime.UtcNow.AddMinutes(3); DateTime.UtcNow < deadline; await Task.Delay(200))
        {
            var status = await http.GetFromJsonAsync<JsonElement>("/status");
            if (status.GetProperty("components").TryGetProperty("search", out var search)
                && search.GetProperty("detail").GetString()?.StartsWith("keyword + semantic", StringComparison.Ordinal) == true)
            {
                return;
            }
        }

        throw new TimeoutException($"the embedding model did not become ready on {baseUrl}");
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static string? Option(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }

    private sealed record Settings(int Memories, int Calls, TimeSpan Duration, int Connections, int Threads, int Rounds, string Dll, IReadOnlyList<string> ServerArgs)
    {
        public bool KeywordOnly => ServerArgs.Any(a => a.Contains("Embeddings:Provider=None", StringComparison.OrdinalIgnoreCase));
    }

    private sealed class Measured
    {
        public Dictionary<string, LatencyStats> Latency { get; } = [];

        public Dictionary<string, Dictionary<string, Wrk.Result>> Throughput { get; } = [];
    }
}
