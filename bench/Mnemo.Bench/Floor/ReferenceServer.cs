using System.Diagnostics;
using System.Net.Sockets;

namespace Mnemo.Bench.Floor;

/// <summary>A reference echo server process on a loopback port, ended (with its children) when disposed.</summary>
internal sealed class ReferenceServer : IAsyncDisposable
{
    private readonly Process _process;

    private ReferenceServer(Process process, Uri mcpUrl)
    {
        _process = process;
        McpUrl = mcpUrl;
    }

    public Uri McpUrl { get; }

    /// <summary>Starts <paramref name="fileName"/> and waits until the port accepts connections.</summary>
    public static async Task<ReferenceServer> StartAsync(string name, string fileName, IEnumerable<string> args, string workingDirectory, int port)
    {
        var info = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException($"{name}: could not start {fileName}");
        process.StandardInput.Close();
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is { Length: > 0 } line) { Console.Error.WriteLine($"  [{name}] {line}"); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new ReferenceServer(process, new Uri($"http://127.0.0.1:{port}/mcp"));
        for (var attempt = 0; attempt < 600; attempt++)
        {
            if (process.HasExited)
            {
                await server.DisposeAsync();
                throw new InvalidOperationException($"{name} exited with {process.ExitCode} before listening");
            }

            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", port);
                return server;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }

        await server.DisposeAsync();
        throw new TimeoutException($"{name} did not listen on port {port} within 60 s");
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
}
