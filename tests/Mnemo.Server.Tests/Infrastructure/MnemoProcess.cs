using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Mnemo.Server.Tests.Infrastructure;

/// <summary>Runs the real <c>mnemo</c> executable (the built mnemo.dll) as a separate process, as a person or script would.</summary>
public static class MnemoProcess
{
    private static string Dll => Path.Combine(AppContext.BaseDirectory, "mnemo.dll");

    public sealed record Result(int ExitCode, string StdOut, string StdErr);

    /// <summary>Runs a verb with only the arguments given (and the test process's environment).</summary>
    public static Task<Result> RunAsync(string? stdin, params string[] args) => RunCoreAsync(null, stdin, args);

    /// <summary>Runs a verb on <paramref name="store"/>'s data: <c>--data-dir</c> is appended, and on PostgreSQL its database is passed in the environment.</summary>
    public static Task<Result> RunOnAsync(TestDataStore store, string? stdin, params string[] args) =>
        RunCoreAsync(store, stdin, [.. args, "--data-dir", store.DataDir]);

    private static async Task<Result> RunCoreAsync(TestDataStore? store, string? stdin, string[] args)
    {
        using var process = Process.Start(StartInfo(args, store?.EnvironmentVariables))!;
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return new Result(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Starts <c>mnemo serve</c> on <paramref name="store"/>'s data, on a free loopback port, and waits until /health answers.</summary>
    public static Task<ServerProcess> StartServerAsync(TestDataStore store, params string[] extraArgs) =>
        StartServerAsync(store.DataDir, store.EnvironmentVariables, extraArgs);

    /// <summary>Starts <c>mnemo serve</c> on <paramref name="dataDir"/> with extra environment variables (e.g. another database's settings).</summary>
    public static async Task<ServerProcess> StartServerAsync(string dataDir, IReadOnlyDictionary<string, string>? environment, params string[] extraArgs)
    {
        var port = FreePort();
        var url = $"http://127.0.0.1:{port}";
        var process = Process.Start(StartInfo(["serve", "--urls", url, "--data-dir", dataDir, .. extraArgs], environment))!;
        process.StandardInput.Close();
        var output = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var http = new HttpClient { BaseAddress = new Uri(url) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"mnemo serve exited with {process.ExitCode}: {output}");
            }

            try
            {
                using var response = await http.GetAsync("/health");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return new ServerProcess(process, new Uri(url), output);
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100);
        }

        process.Kill(entireProcessTree: true);
        throw new TimeoutException($"mnemo serve did not answer /health within 60 s: {output}");
    }

    private static ProcessStartInfo StartInfo(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Dll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        return info;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public sealed class ServerProcess(Process process, Uri baseUrl, System.Text.StringBuilder output) : IAsyncDisposable
    {
        public Uri BaseUrl { get; } = baseUrl;

        public Uri McpUrl => new(BaseUrl, "/mcp");

        public string Output { get { lock (output) { return output.ToString(); } } }

        /// <summary>SIGKILL: no shutdown hooks, no flushing — what a power cut or OOM killer does to the process.</summary>
        public async Task KillHardAsync()
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        /// <summary>SIGTERM, as systemd, docker stop and Ctrl+C do: the host drains requests and runs its shutdown hooks. Returns the exit code.</summary>
        public async Task<int> StopGracefullyAsync()
        {
            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await process.WaitForExitAsync(timeout.Token);
            return process.ExitCode;
        }

        public async ValueTask DisposeAsync()
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }

            process.Dispose();
        }
    }
}
