using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using Mnemo.Bench.Latency;

namespace Mnemo.Bench.Floor;

/// <summary>
/// The per-call floor of Mnemo beside the official SDKs' own floors, in one run on one machine, as ratios. Every
/// server is started here and loaded alone (the others are stopped), closed loop with wrk at each connection count:
/// <list type="number">
/// <item>the C# SDK's stateless echo behind the stock JwtBearer handler (bench/Mnemo.Bench.EchoCSharp): what the SDK,
/// Kestrel and a token check cost with nothing behind them;</item>
/// <item>the TypeScript SDK's documented stateless echo (bench/echo-ts), no auth;</item>
/// <item><c>mnemo serve</c> with <c>SessionMode=Stateless</c>: <c>list_memories</c> (limit 1, the MCP floor) and
/// <c>search_memory</c> over 10k memories, each with an API key and with an OAuth access token got through the
/// real connector flow;</item>
/// <item><c>mnemo serve</c> in the default Hybrid mode, the list rows again, called without a session.</item>
/// </list>
///   dotnet build -c Release src/Mnemo.Server &amp;&amp; dotnet run -c Release --project bench/Mnemo.Bench -- floor
///       [--duration 10] [--warmup 3] [--connections 1,16] [--rounds 1] [--search-memories 10000]
///       [--server PATH/mnemo.dll] [--server-args "--Key=Value ..."]
/// </summary>
internal static class FloorBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var settings = FloorSettings.Parse(args);
        var root = EchoReferences.RepositoryRoot();
        var clock = Stopwatch.StartNew();
        Console.WriteLine($"{Environment.ProcessorCount} cores shared by the server under load, wrk and this bench; loopback only; one server loaded at a time");
        Console.WriteLine($"load average at start: {FloorReport.LoadAverage()}");
        Console.WriteLine($"server: {settings.Dll}{(settings.ServerArgs.Count > 0 ? " " + string.Join(' ', settings.ServerArgs) : "")}");
        var results = new List<FloorResult>();

        Console.WriteLine($"-- {FloorRows.CSharpEcho}: stateless, HS256 JWT minted by the bench ({CallShape.Classic.Description})");
        var signingKey = RandomNumberGenerator.GetBytes(32);
        await using (var echo = await EchoReferences.StartCSharpAsync(root, signingKey))
        {
            var jwt = HmacJwt.Mint(signingKey, EchoReferences.Issuer, EchoReferences.Audience, TimeSpan.FromHours(2));
            results.Add(await FloorLoad.RunAsync(FloorRows.Echo(FloorRows.CSharpEcho, echo.McpUrl, jwt), settings));
        }

        Console.WriteLine($"-- {FloorRows.TypeScriptEcho}: stateless, no auth ({CallShape.Classic.Description})");
        await using (var echo = await EchoReferences.StartTypeScriptAsync(root))
        {
            results.Add(await FloorLoad.RunAsync(FloorRows.Echo(FloorRows.TypeScriptEcho, echo.McpUrl, bearer: null), settings));
        }

        var dataDir = Directory.CreateTempSubdirectory("mnemo-floor-").FullName;
        try
        {
            var (stateless, account) = await MeasureStatelessAsync(settings, dataDir);
            results.AddRange(stateless);
            results.AddRange(await MeasureHybridAsync(settings, dataDir, account));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            TryDelete(dataDir);
        }

        FloorReport.PrintTable(results, settings);
        FloorReport.PrintTargets(results, settings);
        Console.WriteLine();
        Console.WriteLine($"load average at end: {FloorReport.LoadAverage()}");
        var failed = results.SelectMany(r => r.ByConnections.Values).Sum(r => r.Failed);
        if (failed > 0)
        {
            Console.WriteLine($"WARNING: {failed} calls failed under load (non-2xx or socket errors); the rows above count them");
        }

        Console.WriteLine($"floor bench took {clock.Elapsed.TotalMinutes:0.0} min");
        return results.Any(r => r.Skipped is not null) ? 1 : 0;
    }

    /// <summary>Mnemo as a balancer without affinity needs it: the user, key, token and memories are made here.</summary>
    private static async Task<(List<FloorResult> Results, (string Password, string ApiKey) Account)> MeasureStatelessAsync(FloorSettings settings, string dataDir)
    {
        const string mode = "Stateless";
        Console.WriteLine($"-- Mnemo, SessionMode=Stateless ({CallShape.Classic.Description})");
        await using var server = await StartMnemoAsync(settings, dataDir, ["--Mnemo:Mcp:SessionMode=Stateless"]);
        var (password, apiKey) = await MnemoSetup.CreateUserAsync(server);
        Credential[] credentials = [new("API key", apiKey, null), await OAuthAsync(server, password)];
        await MnemoSetup.SeedAsync(server, apiKey, settings.SearchMemories);

        var mcp = new Uri(server.BaseUrl, "/mcp");
        var results = new List<FloorResult>();
        foreach (var credential in credentials)
        {
            results.Add(await RowAsync(FloorRows.ListName(credential.Name, mode), credential, settings,
                (name, bearer) => FloorRows.List(name, mcp, bearer, CallShape.Classic)));
        }

        foreach (var credential in credentials)
        {
            results.Add(await RowAsync(FloorRows.SearchName(credential.Name, mode, settings.SearchMemories), credential, settings,
                (name, bearer) => FloorRows.Search(name, mcp, bearer, CallShape.Classic)));
        }

        return (results, (password, apiKey));
    }

    /// <summary>
    /// The default mode, on the same data (the account, key and memories are kept; the token is got anew from this
    /// process). Calls come without <c>initialize</c> and without a session, which Hybrid serves only in the shape of a
    /// session-less protocol revision: both shapes are tried and the outcome printed.
    /// </summary>
    private static async Task<List<FloorResult>> MeasureHybridAsync(FloorSettings settings, string dataDir, (string Password, string ApiKey) account)
    {
        const string mode = "Hybrid";
        Console.WriteLine("-- Mnemo, default SessionMode (Hybrid), calls without initialize or Mcp-Session-Id");
        await using var server = await StartMnemoAsync(settings, dataDir, []);
        Credential[] credentials = [new("API key", account.ApiKey, null), await OAuthAsync(server, account.Password)];
        var mcp = new Uri(server.BaseUrl, "/mcp");

        CallShape? shape = null;
        foreach (var candidate in new[] { CallShape.Classic, CallShape.Revision20260728 })
        {
            var probe = FloorRows.List("probe", mcp, account.ApiKey, candidate);
            var answer = await McpPost.SendAsync(mcp, probe.Bodies[0], probe.Headers);
            var problem = answer.Result is { } result ? probe.Check(result) : answer.ToString();
            Console.WriteLine($"   Hybrid without a session, {candidate.Description}: {(problem is null ? "works" : "refused, " + problem)}");
            if (problem is null)
            {
                shape = candidate;
                break;
            }
        }

        var results = new List<FloorResult>();
        foreach (var credential in credentials)
        {
            var name = FloorRows.ListName(credential.Name, mode);
            results.Add(shape is null
                ? FloorResult.Skip(name, "Hybrid answers no session-less call")
                : await RowAsync(name, credential, settings, (n, bearer) => FloorRows.List(n, mcp, bearer, shape)));
        }

        return results;
    }

    /// <summary>A token through the connector flow; a failed flow skips the OAuth rows (printed), not the bench.</summary>
    private static async Task<Credential> OAuthAsync(ServerUnderTest server, string password)
    {
        try
        {
            var token = await MnemoSetup.OAuthTokenAsync(server, password);
            Console.WriteLine("   OAuth access token obtained through /register, /authorize (PKCE S256), the login and consent pages, and /token");
            return new Credential("OAuth token", token, null);
        }
        catch (Exception e) when (e is InvalidOperationException or HttpRequestException or System.Text.Json.JsonException or KeyNotFoundException)
        {
            Console.WriteLine($"   no OAuth token: {e.Message}");
            return new Credential("OAuth token", null, "no OAuth token: " + e.Message);
        }
    }

    private static async Task<FloorResult> RowAsync(string name, Credential credential, FloorSettings settings, Func<string, string, FloorRow> row) =>
        credential.Bearer is null ? FloorResult.Skip(name, credential.Problem ?? "no credential") : await FloorLoad.RunAsync(row(name, credential.Bearer), settings);

    /// <summary>Starts mnemo serve and waits until its embedding model has loaded: the load runs in the background and would take cores from the measured calls.</summary>
    private static async Task<ServerUnderTest> StartMnemoAsync(FloorSettings settings, string dataDir, IReadOnlyList<string> modeArgs)
    {
        var clock = Stopwatch.StartNew();
        var server = await ServerUnderTest.StartAsync(settings.Dll, dataDir, [.. modeArgs, .. settings.ServerArgs]);
        if (settings.ServerArgs.Any(a => a.Contains("Embeddings:Provider=None", StringComparison.OrdinalIgnoreCase)))
        {
            Console.WriteLine($"   up in {clock.ElapsedMilliseconds} ms; keyword search only (Embeddings:Provider=None)");
        }
        else
        {
            await LatencyBenchmark.WaitForModelAsync(server, TimeSpan.FromMinutes(3));
            Console.WriteLine($"   up, embedding model ready {clock.ElapsedMilliseconds} ms after start");
        }

        return server;
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

    /// <summary>A bearer for the Mnemo rows, or why there is none (its rows are then skipped).</summary>
    private sealed record Credential(string Name, string? Bearer, string? Problem);
}
