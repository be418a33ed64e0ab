using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Mnemo.Server.Tests.Scale;

/// <summary>
/// nginx (Debian's <c>/usr/sbin/nginx</c>) as a loopback round-robin load balancer in front of several Mnemo instances,
/// run as a foreground child process with its own prefix, configuration, pid file, logs and temp folders in a temporary
/// folder. No session affinity: consecutive requests go to consecutive upstreams, whatever connection they came on.
/// Every response carries <c>X-Upstream</c> (nginx's <c>$upstream_addr</c>) so tests can tell which instance answered.
/// </summary>
public sealed class NginxBalancer : IAsyncDisposable
{
    public const string UpstreamHeader = "X-Upstream";

    private readonly Process _process;
    private readonly StringBuilder _output;

    private NginxBalancer(Process process, string directory, int port, StringBuilder output)
    {
        _process = process;
        _output = output;
        Directory = directory;
        Port = port;
    }

    public string Directory { get; }

    public int Port { get; }

    /// <summary>The origin clients use (and every instance's <c>Mnemo:PublicUrl</c>).</summary>
    public string Origin => $"http://127.0.0.1:{Port}";

    /// <summary>What nginx printed and wrote to its error log (for failure messages).</summary>
    public string Log
    {
        get
        {
            var errorLog = Path.Combine(Directory, "error.log");
            lock (_output)
            {
                return _output + (File.Exists(errorLog) ? File.ReadAllText(errorLog) : "");
            }
        }
    }

    public static string Executable => Environment.GetEnvironmentVariable("MNEMO_TEST_NGINX") ?? "/usr/sbin/nginx";

    /// <summary>Writes the configuration for <paramref name="upstreamPorts"/> and starts nginx on <paramref name="port"/>.</summary>
    /// <param name="balancing">An upstream balancing directive instead of round robin, e.g. <c>hash $http_authorization consistent;</c>.</param>
    /// <param name="upstreamHost">The Host sent upstream; null passes the client's (nginx's own origin).</param>
    public static async Task<NginxBalancer> StartAsync(int port, IReadOnlyList<int> upstreamPorts, string? balancing = null, string? upstreamHost = null)
    {
        if (!File.Exists(Executable))
        {
            throw new InvalidOperationException(
                $"nginx not found at {Executable}: the scale tests need it (apt-get install -y nginx-light), or set MNEMO_TEST_NGINX.");
        }

        var directory = System.IO.Directory.CreateTempSubdirectory("mnemo-nginx-").FullName;
        var config = Path.Combine(directory, "nginx.conf");
        await File.WriteAllTextAsync(config, Configuration(directory, port, upstreamPorts, balancing ?? "", upstreamHost ?? "$http_host"));
        var info = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "-p", directory, "-c", config, "-g", "daemon off;" })
        {
            info.ArgumentList.Add(arg);
        }

        var output = new StringBuilder();
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var balancer = new NginxBalancer(process, directory, port, output);
        for (var deadline = DateTime.UtcNow.AddSeconds(20); DateTime.UtcNow < deadline; await Task.Delay(50))
        {
            if (process.HasExited)
            {
                var log = balancer.Log;
                await balancer.DisposeAsync();
                throw new InvalidOperationException($"nginx exited with {process.ExitCode}: {log}");
            }

            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", port);
                return balancer;
            }
            catch (SocketException)
            {
                // Not listening yet.
            }
        }

        var timedOut = balancer.Log;
        await balancer.DisposeAsync();
        throw new TimeoutException($"nginx did not listen on {port} within 20 s: {timedOut}");
    }

    private static string Configuration(string directory, int port, IReadOnlyList<int> upstreamPorts, string balancing, string upstreamHost)
    {
        var servers = string.Concat(upstreamPorts.Select(p => $"        server 127.0.0.1:{p.ToString(CultureInfo.InvariantCulture)};\n"));
        // As root nginx would switch its worker to "nobody", who cannot write the temp folders here.
        var user = Environment.UserName == "root" ? "user root;" : "";
        return $$"""
            {{user}}
            worker_processes 1;
            pid {{directory}}/nginx.pid;
            error_log {{directory}}/error.log warn;
            events { worker_connections 1024; }
            http {
                access_log off;
                client_body_temp_path {{directory}}/client_body;
                proxy_temp_path {{directory}}/proxy;
                fastcgi_temp_path {{directory}}/fastcgi;
                uwsgi_temp_path {{directory}}/uwsgi;
                scgi_temp_path {{directory}}/scgi;
                # Round robin (nginx's default) unless a balancing directive is given: any request may land on any instance.
                upstream mnemo {
                    {{balancing}}
            {{servers}}        keepalive 32;
                }
                server {
                    listen 127.0.0.1:{{port}};
                    location / {
                        proxy_pass http://mnemo;
                        proxy_http_version 1.1;
                        proxy_set_header Connection "";
                        proxy_set_header Host {{upstreamHost}};
                        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                        proxy_set_header X-Forwarded-Proto $scheme;
                        # MCP answers are server-sent events: pass each byte on as it comes.
                        proxy_buffering off;
                        proxy_read_timeout 1h;
                        add_header {{UpstreamHeader}} $upstream_addr always;
                    }
                }
            }
            """;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        catch (InvalidOperationException)
        {
            // Exited meanwhile.
        }

        _process.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
