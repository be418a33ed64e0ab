using System.Diagnostics;
using System.Net.Sockets;

namespace Mnemo.Bench.Scale;

/// <summary>
/// Debian's nginx as a loopback round-robin balancer (no affinity), a foreground child process with everything in a
/// temporary prefix. Each <c>server</c> block listens on its own port and proxies to its own upstream list, all with the
/// same Host header upstream (the public origin's), so one set of instances can be measured behind one or several
/// of its members.
/// </summary>
internal sealed class Nginx : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;

    private Nginx(Process process, string directory)
    {
        _process = process;
        _directory = directory;
    }

    /// <param name="sites">For each listening port, the upstream ports behind it.</param>
    /// <param name="host">The Host header sent upstream (the instances' <c>Mnemo:PublicUrl</c> authority).</param>
    public static async Task<Nginx> StartAsync(IReadOnlyList<(int Port, int[] Upstreams)> sites, string host)
    {
        var executable = Environment.GetEnvironmentVariable("MNEMO_BENCH_NGINX") ?? "/usr/sbin/nginx";
        if (!File.Exists(executable))
        {
            throw new FileNotFoundException($"nginx not found at {executable} (apt-get install -y nginx-light, or set MNEMO_BENCH_NGINX)");
        }

        var directory = Directory.CreateTempSubdirectory("mnemo-bench-nginx-").FullName;
        var upstreams = string.Concat(sites.Select((s, i) =>
            $"  upstream site{i} {{\n{string.Concat(s.Upstreams.Select(p => $"    server 127.0.0.1:{p};\n"))}    keepalive 64;\n  }}\n"));
        var servers = string.Concat(sites.Select((s, i) => $$"""
              server {
                listen 127.0.0.1:{{s.Port}} backlog=1024;
                location / {
                  proxy_pass http://site{{i}};
                  proxy_http_version 1.1;
                  proxy_set_header Connection "";
                  proxy_set_header Host {{host}};
                  proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                  proxy_set_header X-Forwarded-Proto $scheme;
                  proxy_buffering off;
                  add_header X-Upstream $upstream_addr always;
                }
              }

            """));
        var config = $$"""
            {{(Environment.UserName == "root" ? "user root;" : "")}}
            worker_processes 1;
            pid {{directory}}/nginx.pid;
            error_log {{directory}}/error.log warn;
            events { worker_connections 4096; }
            http {
              access_log off;
              client_body_temp_path {{directory}}/client_body;
              proxy_temp_path {{directory}}/proxy;
              fastcgi_temp_path {{directory}}/fastcgi;
              uwsgi_temp_path {{directory}}/uwsgi;
              scgi_temp_path {{directory}}/scgi;
            {{upstreams}}{{servers}}}
            """;
        var file = Path.Combine(directory, "nginx.conf");
        await File.WriteAllTextAsync(file, config);
        var info = new ProcessStartInfo(executable) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { "-p", directory, "-c", file, "-g", "daemon off;" })
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is { Length: > 0 } line) { Console.Error.WriteLine($"  [nginx] {line}"); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var nginx = new Nginx(process, directory);
        for (var attempt = 0; attempt < 200; attempt++, await Task.Delay(50))
        {
            if (process.HasExited)
            {
                break;
            }

            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", sites[0].Port);
                return nginx;
            }
            catch (SocketException)
            {
            }
        }

        var log = File.Exists(Path.Combine(directory, "error.log")) ? await File.ReadAllTextAsync(Path.Combine(directory, "error.log")) : "";
        await nginx.DisposeAsync();
        throw new InvalidOperationException("nginx did not start: " + log);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
