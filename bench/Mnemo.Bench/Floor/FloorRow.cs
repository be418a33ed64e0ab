using System.Text.Json.Nodes;
using Mnemo.Bench.Scale;

namespace Mnemo.Bench.Floor;

/// <summary>
/// One row of the floor table: a server's endpoint, the request bodies wrk rotates over, the headers it sends, and
/// what a successful answer must contain (beyond HTTP 200 and a result without <c>isError</c>).
/// </summary>
/// <param name="Check">Null when the result is what the call should return, else what is wrong with it.</param>
internal sealed record FloorRow(string Name, Uri Url, IReadOnlyList<string> Bodies, IReadOnlyDictionary<string, string> Headers, Func<JsonNode, string?> Check);

/// <summary>A row's measurements, by connection count; <see cref="Skipped"/> says why a row has none.</summary>
internal sealed record FloorResult(string Name, IReadOnlyDictionary<int, Wrk.Result> ByConnections, string? Skipped = null)
{
    public double? CallsPerSecond(int connections) => ByConnections.TryGetValue(connections, out var r) ? r.RequestsPerSecond : null;

    /// <summary>A row that is not measured, said at once so the progress shows it.</summary>
    public static FloorResult Skip(string name, string reason)
    {
        Console.WriteLine($"   {name}: SKIPPED, {reason}");
        return new FloorResult(name, new Dictionary<int, Wrk.Result>(), reason);
    }
}
