using System.Diagnostics;

namespace Mnemo.Bench.Latency;

/// <summary>Times a sequence of calls and summarises them as p50/p95/p99 and calls per second.</summary>
internal sealed class LatencyStats(string name)
{
    private readonly List<double> _milliseconds = [];
    private readonly Stopwatch _wall = new();
    private TimeSpan _extra;

    public string Name { get; } = name;

    public async Task MeasureAsync(int count, Func<int, Task> call)
    {
        _wall.Start();
        for (var i = 0; i < count; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await call(i);
            _milliseconds.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        _wall.Stop();
    }

    /// <summary>Takes in another measure's calls (pooling interleaved rounds into one summary).</summary>
    public void Add(LatencyStats other)
    {
        _milliseconds.AddRange(other._milliseconds);
        _extra += other._wall.Elapsed;
    }

    public double Percentile(double p)
    {
        var sorted = _milliseconds.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
    }

    public double CallsPerSecond => _milliseconds.Count / (_wall.Elapsed + _extra).TotalSeconds;

    public override string ToString() =>
        $"{Name,-34} n={_milliseconds.Count,5}  p50={Percentile(0.50),7:0.00} ms  p95={Percentile(0.95),7:0.00} ms  p99={Percentile(0.99),7:0.00} ms  {CallsPerSecond,8:0.0} calls/s";
}
