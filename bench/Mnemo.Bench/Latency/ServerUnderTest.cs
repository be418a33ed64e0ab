using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Mnemo.Bench.Latency;

/// <summary>A real <c>mnemo serve</c> process on a loopback port over a temporary data folder, driven like a user would.</summary>
internal sealed class ServerUnderTest : IAsyncDisposable
{
    private readonly Process _process;
    private readonly IReadOnlyDictionary<string, string>? _environment;

    private ServerUnderTest(Process process, string dll, string dataDir, Uri baseUrl, IReadOnlyDictionary<string, string>? environment)
    {
        _process = process;
        _environment = environment;
        Dll = dll;
        DataDir = dataDir;
        BaseUrl = baseUrl;
    }

    public string Dll { get; }

    public string DataDir { get; }

    public Uri BaseUrl { get; }

    public int ProcessId => _process.Id;

    /// <param name="environment">Extra environment of the server and of <see cref="CliAsync"/> (e.g. the PostgreSQL provider and connection string).</param>
    /// <param name="port">The port to listen on (0: a free one).</param>
    public static async Task<ServerUnderTest> StartAsync(
        string dll, string dataDir, IReadOnlyList<string> serverArgs, IReadOnlyDictionary<string, string>? environment = null, int port = 0)
    {
        port = port == 0 ? FreePort() : port;
        var url = $"http://127.0.0.1:{port}";
        var process = Process.Start(StartInfo(dll, ["serve", "--urls", url, "--data-dir", dataDir, .. serverArgs], environment))!;
        process.StandardInput.Close();
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is { Length: > 0 } line) { Console.Error.WriteLine($"  [server] {line}"); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var http = new HttpClient { BaseAddress = new Uri(url) };
        for (var attempt = 0; attempt < 600; attempt++)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"mnemo serve exited with {process.ExitCode}");
            }

            try
            {
                if ((await http.GetAsync("/health")).StatusCode == HttpStatusCode.OK)
                {
                    return new ServerUnderTest(process, dll, dataDir, new Uri(url), environment);
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("mnemo serve did not start within 60 s");
    }

    /// <summary>Runs a CLI verb against the same data folder; returns its stdout.</summary>
    public Task<string> CliAsync(params string[] args) => CliWithInputAsync(null, args);

    /// <summary>Runs a CLI verb with <paramref name="standardInput"/> on its standard input (e.g. <c>users add --password-stdin</c>).</summary>
    public async Task<string> CliWithInputAsync(string? standardInput, params string[] args)
    {
        using var process = Process.Start(StartInfo(Dll, [.. args, "--data-dir", DataDir], _environment))!;
        if (standardInput is not null)
        {
            await process.StandardInput.WriteAsync(standardInput);
        }

        process.StandardInput.Close();
        var stdout = await process.StandardOutput.ReadToEndAsync();
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0 ? stdout : throw new InvalidOperationException($"mnemo {string.Join(' ', args)} failed: {stderr}");
    }

    /// <summary>Resident set size of the server process, from /proc (Linux).</summary>
    public long ResidentBytes()
    {
        var status = File.ReadAllLines($"/proc/{_process.Id}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return status is null ? -1 : long.Parse(status.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    /// <summary>Finds the Release build of the server next to this checkout.</summary>
    public static string LocateDll(string? explicitPath)
    {
        if (explicitPath is not null)
        {
            return Path.GetFullPath(explicitPath);
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Mnemo.slnx")))
            {
                var dll = Path.Combine(dir.FullName, "src", "Mnemo.Server", "bin", "Release", "net10.0", "mnemo.dll");
                return File.Exists(dll) ? dll : throw new FileNotFoundException($"Build the server first: dotnet build -c Release src/Mnemo.Server ({dll} is missing)");
            }
        }

        throw new FileNotFoundException("Cannot find Mnemo.slnx above the benchmark; pass --server PATH/mnemo.dll");
    }

    private static ProcessStartInfo StartInfo(string dll, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["Logging__LogLevel__Default"] = "Warning";
        info.Environment["Logging__LogLevel__ModelContextProtocol"] = "Warning";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        return info;
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
