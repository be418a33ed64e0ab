using System.Globalization;
using Mnemo.Bench.Latency;

namespace Mnemo.Bench.Floor;

/// <summary>The options of <c>Mnemo.Bench floor</c>.</summary>
internal sealed record FloorSettings(
    TimeSpan Duration, TimeSpan Warmup, IReadOnlyList<int> Connections, int Rounds, int SearchMemories, string Dll, IReadOnlyList<string> ServerArgs)
{
    /// <summary>The connection count the targets are read at (16 when measured, else the highest).</summary>
    public int TargetConnections => Connections.Contains(16) ? 16 : Connections.Max();

    public static FloorSettings Parse(string[] args) => new(
        TimeSpan.FromSeconds(int.Parse(Option(args, "--duration") ?? "10", CultureInfo.InvariantCulture)),
        TimeSpan.FromSeconds(int.Parse(Option(args, "--warmup") ?? "3", CultureInfo.InvariantCulture)),
        [.. (Option(args, "--connections") ?? "1,16").Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture))],
        int.Parse(Option(args, "--rounds") ?? "1", CultureInfo.InvariantCulture),
        int.Parse(Option(args, "--search-memories") ?? "10000", CultureInfo.InvariantCulture),
        ServerUnderTest.LocateDll(Option(args, "--server")),
        (Option(args, "--server-args") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries));

    /// <summary>wrk threads for a connection count: one per connection, at most one per core of the two.</summary>
    public static int Threads(int connections) => Math.Min(connections, 2);

    private static string? Option(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }
}
