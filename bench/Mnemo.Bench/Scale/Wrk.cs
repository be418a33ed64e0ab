using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Mnemo.Bench.Scale;

/// <summary>
/// Closed-loop HTTP load with <c>wrk</c> (Debian's package): a fixed number of connections, each sending the next
/// request as soon as the previous answer arrived, for a fixed time. The requests are MCP <c>tools/call</c> POSTs
/// (the servers run without sessions, so any request may go to any instance), rotated over a list of bodies.
/// </summary>
internal static partial class Wrk
{
    public sealed record Result(double RequestsPerSecond, long Requests, long Failed, double P50Ms, double P90Ms, double P99Ms)
    {
        /// <summary>The mean of several runs of one set-up (percentiles averaged too: a summary, not a percentile of the union).</summary>
        public static Result Mean(IReadOnlyList<Result> runs) => new(
            runs.Average(r => r.RequestsPerSecond), runs.Sum(r => r.Requests), runs.Sum(r => r.Failed),
            runs.Average(r => r.P50Ms), runs.Average(r => r.P90Ms), runs.Average(r => r.P99Ms));

        public override string ToString() =>
            $"{RequestsPerSecond,8:0.0} calls/s  p50={P50Ms,7:0.00} ms  p99={P99Ms,7:0.00} ms  ({Requests} calls{(Failed > 0 ? $", {Failed} FAILED" : "")})";
    }

    public static string Executable => Environment.GetEnvironmentVariable("MNEMO_BENCH_WRK") ?? "/usr/bin/wrk";

    /// <summary>Runs wrk against <paramref name="url"/> (…/mcp) with the given JSON-RPC bodies and headers.</summary>
    public static async Task<Result> RunAsync(string url, IReadOnlyList<string> bodies, IReadOnlyDictionary<string, string> headers,
        int threads, int connections, TimeSpan duration)
    {
        if (!File.Exists(Executable))
        {
            throw new FileNotFoundException($"wrk not found at {Executable} (apt-get install -y wrk, or set MNEMO_BENCH_WRK)");
        }

        var script = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(script, Lua(bodies, headers));
            var info = new ProcessStartInfo(Executable) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in new[]
            {
                "-t", threads.ToString(CultureInfo.InvariantCulture), "-c", connections.ToString(CultureInfo.InvariantCulture),
                "-d", $"{(int)duration.TotalSeconds}s", "--timeout", "10s", "--latency", "-s", script, url,
            })
            {
                info.ArgumentList.Add(arg);
            }

            using var process = Process.Start(info)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            var text = await stdout;
            if (process.ExitCode != 0 || RequestsPerSecondPattern().Match(text) is not { Success: true } rps)
            {
                throw new InvalidOperationException($"wrk failed ({process.ExitCode}): {text}{await stderr}");
            }

            var requests = long.Parse(RequestsPattern().Match(text).Groups[1].Value, CultureInfo.InvariantCulture);
            var non2xx = NonSuccessPattern().Match(text) is { Success: true } n ? long.Parse(n.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
            var socketErrors = SocketErrorsPattern().Match(text) is { Success: true } e
                ? e.Groups.Values.Skip(1).Sum(g => long.Parse(g.Value, CultureInfo.InvariantCulture))
                : 0;
            return new Result(double.Parse(rps.Groups[1].Value, CultureInfo.InvariantCulture), requests, non2xx + socketErrors,
                Percentile(text, "50%"), Percentile(text, "90%"), Percentile(text, "99%"));
        }
        finally
        {
            File.Delete(script);
        }
    }

    private static double Percentile(string text, string which)
    {
        var match = Regex.Match(text, $@"^\s*{Regex.Escape(which)}\s+([\d.]+)(us|ms|s)\s*$", RegexOptions.Multiline);
        if (!match.Success)
        {
            return double.NaN;
        }

        var value = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return match.Groups[2].Value switch { "us" => value / 1000, "s" => value * 1000, _ => value };
    }

    private static string Lua(IReadOnlyList<string> bodies, IReadOnlyDictionary<string, string> headers)
    {
        var lua = new StringBuilder();
        lua.AppendLine("wrk.method = \"POST\"");
        foreach (var (name, value) in headers)
        {
            lua.AppendLine(CultureInfo.InvariantCulture, $"wrk.headers[{Quote(name)}] = {Quote(value)}");
        }

        lua.AppendLine("local bodies = {");
        foreach (var body in bodies)
        {
            lua.AppendLine(CultureInfo.InvariantCulture, $"  {Quote(body)},");
        }

        lua.AppendLine("}");
        lua.AppendLine("local n = 0");
        lua.AppendLine("request = function()");
        lua.AppendLine("  n = n % #bodies + 1");
        lua.AppendLine("  return wrk.format(nil, nil, nil, bodies[n])");
        lua.AppendLine("end");
        return lua.ToString();
    }

    /// <summary>A Lua string literal (Lua strings are bytes: UTF-8 text passes as it is).</summary>
    private static string Quote(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)
            .Replace("\n", "\\n", StringComparison.Ordinal).Replace("\r", "\\r", StringComparison.Ordinal) + "\"";

    [GeneratedRegex(@"Requests/sec:\s+([\d.]+)")]
    private static partial Regex RequestsPerSecondPattern();

    [GeneratedRegex(@"(\d+) requests in")]
    private static partial Regex RequestsPattern();

    [GeneratedRegex(@"Non-2xx or 3xx responses:\s+(\d+)")]
    private static partial Regex NonSuccessPattern();

    [GeneratedRegex(@"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")]
    private static partial Regex SocketErrorsPattern();
}
