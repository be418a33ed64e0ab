using System.Diagnostics;
using System.Net;
using System.Text;

namespace Mnemo.Server.Tests.Scale;

/// <summary>
/// One <c>mnemo serve</c> process of a <see cref="ScaleCluster"/>, on a fixed loopback port (nginx's upstream list names
/// it, so a restart must come back on the same port). Its output is kept across restarts for failure messages and log
/// assertions.
/// </summary>
public sealed class MnemoInstance : IAsyncDisposable
{
    private readonly StringBuilder _output = new();
    private readonly Func<IReadOnlyDictionary<string, string>> _environment;
    private Process? _process;
    private int _runStart;

    internal MnemoInstance(int index, int port, Func<IReadOnlyDictionary<string, string>> environment)
    {
        Index = index;
        Port = port;
        _environment = environment;
    }

    public int Index { get; }

    public int Port { get; }

    /// <summary>Where this instance listens (not the public origin: requests sent here must carry the origin's Host).</summary>
    public Uri Socket => new($"http://127.0.0.1:{Port}");

    /// <summary>How nginx names this instance in <c>X-Upstream</c>.</summary>
    public string UpstreamName => $"127.0.0.1:{Port}";

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Everything every run of this instance printed (stdout and stderr, interleaved), oldest first.</summary>
    public string Output { get { lock (_output) { return _output.ToString(); } } }

    /// <summary>The output since the last start (what the current or last run printed).</summary>
    public string CurrentRunOutput { get { lock (_output) { return _output.ToString()[_runStart..]; } } }

    /// <summary>Starts the process (<paramref name="overrides"/> on top of the cluster's environment) without waiting for it.</summary>
    public void Start(IReadOnlyDictionary<string, string>? overrides = null)
    {
        if (IsRunning)
        {
            throw new InvalidOperationException($"instance {Index} is already running");
        }

        _process?.Dispose();
        var info = ScaleCluster.MnemoStartInfo(["serve", "--urls", Socket.ToString().TrimEnd('/')], _environment(), overrides);
        lock (_output)
        {
            _output.AppendLine($"---- instance {Index} started {DateTime.UtcNow:O} ----");
            _runStart = _output.Length;
        }

        var process = Process.Start(info)!;
        process.StandardInput.Close();
        process.OutputDataReceived += (_, e) => { lock (_output) { _output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (_output) { _output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
    }

    /// <summary>Waits until <c>/health</c> answers 200 (any Host is accepted there).</summary>
    public async Task WaitHealthyAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { BaseAddress = Socket, Timeout = TimeSpan.FromSeconds(5) };
        for (var deadline = DateTime.UtcNow + timeout; DateTime.UtcNow < deadline; await Task.Delay(100))
        {
            if (_process is null || _process.HasExited)
            {
                throw new InvalidOperationException($"mnemo serve (instance {Index}) exited with {_process?.ExitCode}: {CurrentRunOutput}");
            }

            try
            {
                using var response = await http.GetAsync("/health");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Busy starting on shared cores.
            }
        }

        throw new TimeoutException($"mnemo serve (instance {Index}) did not answer /health within {timeout.TotalSeconds:F0} s: {CurrentRunOutput}");
    }

    /// <summary>SIGKILL, as a crash or the OOM killer would: no shutdown, nothing flushed.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await KillAsync();
        }
        catch (InvalidOperationException)
        {
            // Exited meanwhile.
        }

        _process?.Dispose();
        _process = null;
    }
}
