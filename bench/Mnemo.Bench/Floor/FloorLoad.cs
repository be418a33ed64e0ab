using Mnemo.Bench.Scale;

namespace Mnemo.Bench.Floor;

/// <summary>Checks that a row's calls succeed, then loads it with wrk: a warm-up run, then the measured runs, per connection count.</summary>
internal static class FloorLoad
{
    public static async Task<FloorResult> RunAsync(FloorRow row, FloorSettings settings)
    {
        // A bench that times 401s or JSON-RPC errors is worthless: every body (up to a few) must succeed on its own first.
        foreach (var body in row.Bodies.Take(3))
        {
            var answer = await McpPost.SendAsync(row.Url, body, row.Headers);
            var problem = answer.Result is { } result ? row.Check(result) : $"not a successful tool call: {answer}";
            if (problem is not null)
            {
                return FloorResult.Skip(row.Name, $"a single call fails: {problem}");
            }
        }

        var measured = new Dictionary<int, Wrk.Result>();
        foreach (var connections in settings.Connections)
        {
            var threads = FloorSettings.Threads(connections);
            if (settings.Warmup > TimeSpan.Zero)
            {
                await Wrk.RunAsync(row.Url.ToString(), row.Bodies, row.Headers, threads, connections, settings.Warmup);
            }

            var runs = new List<Wrk.Result>();
            for (var round = 0; round < settings.Rounds; round++)
            {
                runs.Add(await Wrk.RunAsync(row.Url.ToString(), row.Bodies, row.Headers, threads, connections, settings.Duration));
            }

            var mean = Wrk.Result.Mean(runs);
            measured[connections] = mean;
            // The load average beside each row: other work on the shared cores shows up in the numbers, so it is printed with them.
            Console.WriteLine($"   {row.Name,-58} -t{threads} -c{connections,-3} {FloorReport.Cell(mean)}  (load {FloorReport.LoadAverage(1)})" +
                (mean.Failed > 0 ? $"  WARNING: {mean.Failed} of {mean.Requests} calls failed (non-2xx or socket errors)" : ""));
        }

        return new FloorResult(row.Name, measured);
    }
}
