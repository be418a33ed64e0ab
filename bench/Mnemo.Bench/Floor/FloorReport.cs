using System.Globalization;
using Mnemo.Bench.Scale;

namespace Mnemo.Bench.Floor;

/// <summary>The printed table of every row, and the targets block (ratios at the target connection count).</summary>
internal static class FloorReport
{
    public static string Cell(Wrk.Result r) => string.Create(CultureInfo.InvariantCulture,
        $"{r.RequestsPerSecond,8:0} calls/s  p50 {r.P50Ms,6:0.00}  p90 {r.P90Ms,6:0.00}  p99 {r.P99Ms,6:0.00} ms");

    /// <summary>The first <paramref name="count"/> load averages (1, 5, 15 min) from /proc/loadavg.</summary>
    public static string LoadAverage(int count = 3) =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(count)) : "unknown";

    public static void PrintTable(IReadOnlyList<FloorResult> results, FloorSettings settings)
    {
        Console.WriteLine();
        Console.WriteLine($"== per-call floor: wrk, {settings.Duration.TotalSeconds:0} s measured after {settings.Warmup.TotalSeconds:0} s warm-up, " +
            $"mean of {settings.Rounds} run(s); calls/s and latency p50/p90/p99 in ms");
        foreach (var connections in settings.Connections)
        {
            Console.WriteLine($"-- {connections} connection(s), wrk -t{FloorSettings.Threads(connections)} -c{connections}");
            foreach (var result in results)
            {
                var cell = result.ByConnections.TryGetValue(connections, out var r)
                    ? Cell(r) + (r.Failed > 0 ? $"  WARNING: {r.Failed} of {r.Requests} calls failed" : "")
                    : $"skipped: {result.Skipped}";
                Console.WriteLine($"{result.Name,-60} {cell}");
            }
        }
    }

    public static void PrintTargets(IReadOnlyList<FloorResult> results, FloorSettings settings)
    {
        var c = settings.TargetConnections;
        double? Rate(string name) => results.FirstOrDefault(r => r.Name == name)?.CallsPerSecond(c);
        double? Ratio(string over, string under) => Rate(over) is { } a && Rate(under) is { } b && b > 0 ? a / b : null;

        var oauthList = FloorRows.ListName("OAuth token", "Stateless");
        var keyList = FloorRows.ListName("API key", "Stateless");
        Console.WriteLine();
        Console.WriteLine($"== targets, at {c} connections (Mnemo in Stateless mode)");
        Target("OAuth list / C# SDK echo + JwtBearer", Ratio(oauthList, FloorRows.CSharpEcho), 0.5, "0.00");
        Target("OAuth list / TypeScript SDK echo", Ratio(oauthList, FloorRows.TypeScriptEcho), 3, "0.00");
        Target("OAuth list / API-key list (OAuth within 15 %)", Ratio(oauthList, keyList), 0.85, "0.00");
        foreach (var credential in new[] { "OAuth token", "API key" })
        {
            var search = FloorRows.SearchName(credential, "Stateless", settings.SearchMemories);
            Target(search.Replace("Mnemo ", "", StringComparison.Ordinal).Replace(" [Stateless]", "", StringComparison.Ordinal) + ", calls/s", Rate(search), 400, "0");
        }

        // Not targets: what sessions-capable Hybrid costs over Stateless for the same call.
        foreach (var credential in new[] { "API key", "OAuth token" })
        {
            if (Ratio(FloorRows.ListName(credential, "Hybrid"), FloorRows.ListName(credential, "Stateless")) is { } hybrid)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"   (info) list, {credential}: Hybrid / Stateless {hybrid:0.00} (Hybrid is called in the 2026-07-28 shape, Stateless in the 2025-11-25 one)"));
            }
        }
    }

    private static void Target(string label, double? value, double target, string format)
    {
        var shown = value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : "n/a";
        var verdict = value is null ? "n/a (a row was skipped)" : value >= target ? "met" : "MISSED";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"   {label,-48} {shown,8}   target >= {target.ToString(format, CultureInfo.InvariantCulture),-5} {verdict}"));
    }
}
