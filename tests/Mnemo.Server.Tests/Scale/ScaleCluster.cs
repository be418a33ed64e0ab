using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Mnemo.Testing;

namespace Mnemo.Server.Tests.Scale;

/// <summary>
/// A scaled-out Mnemo as an operator would run it: one PostgreSQL database of its own, several <c>mnemo serve</c>
/// processes on it (the built mnemo.dll, each on its own loopback port, all with the same <c>Mnemo:PublicUrl</c> — the
/// balancer's origin — and 127.0.0.1 as trusted proxy), and nginx in front, round robin, no affinity. Disposing kills
/// every process (also after a failed start) and drops the database.
/// </summary>
public sealed class ScaleCluster : IAsyncDisposable
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);

    private readonly Dictionary<string, string> _environment;
    private readonly List<MnemoInstance> _instances = [];

    private ScaleCluster(string connectionString, string dataDir, NginxBalancer nginx, Dictionary<string, string> environment)
    {
        ConnectionString = connectionString;
        DataDir = dataDir;
        Nginx = nginx;
        _environment = environment;
    }

    public string ConnectionString { get; }

    public string DataDir { get; }

    public NginxBalancer Nginx { get; }

    public IReadOnlyList<MnemoInstance> Instances => _instances;

    /// <summary>The public origin: nginx.</summary>
    public string Origin => Nginx.Origin;

    public string McpUrl => Origin + "/mcp";

    /// <summary>Everything the processes printed, for failure messages.</summary>
    public string Logs =>
        string.Join('\n', _instances.Select(i => $"==== instance {i.Index} ({i.UpstreamName}) ====\n{i.Output}")) + "\n==== nginx ====\n" + Nginx.Log;

    /// <param name="sessionMode"><c>Mnemo:Mcp:SessionMode</c>; null keeps the default (Hybrid).</param>
    /// <param name="embeddings"><c>Mnemo:Memory:Embeddings:Provider</c>: <c>None</c> (keyword only, light on the shared cores) or <c>Local</c>.</param>
    /// <param name="start">Start every instance (and wait for /health); false leaves that to the test.</param>
    public static async Task<ScaleCluster> StartAsync(string? sessionMode = null, string embeddings = "None", int instances = 3, bool start = true)
    {
        var connectionString = await TestPostgres.CreateDatabaseAsync();
        var dataDir = Directory.CreateTempSubdirectory("mnemo-scale-").FullName;
        var ports = FreePorts(instances + 1);
        NginxBalancer nginx;
        try
        {
            nginx = await NginxBalancer.StartAsync(ports[0], ports[1..]);
        }
        catch
        {
            await TestPostgres.DropDatabaseAsync(connectionString);
            Directory.Delete(dataDir, recursive: true);
            throw;
        }

        var environment = new Dictionary<string, string>
        {
            ["Mnemo__Database__Provider"] = "Postgres",
            ["ConnectionStrings__Mnemo"] = connectionString,
            ["Mnemo__DataDir"] = dataDir,
            ["Mnemo__PublicUrl"] = nginx.Origin,
            ["Mnemo__ForwardedHeaders__KnownProxies__0"] = "127.0.0.1",
            ["Mnemo__Memory__Embeddings__Provider"] = embeddings,
            ["Logging__LogLevel__Default"] = "Warning",
            // What the tests read from the logs: the back-fill ("Indexed N memories…"), the rounds skipped because
            // another instance holds the back-fill lock, and which instance created the OAuth server keys.
            ["Logging__LogLevel__Mnemo.Memory.Search.VectorBackfill"] = "Information",
            ["Logging__LogLevel__Mnemo.Memory.Search.SearchBackgroundService"] = "Debug",
            ["Logging__LogLevel__Mnemo.Auth.OAuth.Keys.ServerKeyStore"] = "Information",
        };
        if (sessionMode is not null)
        {
            environment["Mnemo__Mcp__SessionMode"] = sessionMode;
        }

        var cluster = new ScaleCluster(connectionString, dataDir, nginx, environment);
        for (var i = 0; i < instances; i++)
        {
            cluster._instances.Add(new MnemoInstance(i, ports[i + 1], () => cluster._environment));
        }

        if (start)
        {
            try
            {
                await cluster.StartAllAsync();
            }
            catch (Exception e)
            {
                var logs = cluster.Logs;
                await cluster.DisposeAsync();
                throw new InvalidOperationException($"the cluster did not start: {e.Message}\n{logs}", e);
            }
        }

        return cluster;
    }

    /// <summary>Starts every stopped instance at the same moment (as an orchestrator would) and waits for all of them.</summary>
    public async Task StartAllAsync(IReadOnlyDictionary<string, string>? overrides = null)
    {
        var starting = _instances.Where(i => !i.IsRunning).ToList();
        foreach (var instance in starting)
        {
            instance.Start(overrides);
        }

        await Task.WhenAll(starting.Select(i => i.WaitHealthyAsync(StartTimeout)));
    }

    /// <summary>Stops every instance (SIGKILL); the database and nginx stay.</summary>
    public async Task StopAllAsync() => await Task.WhenAll(_instances.Select(i => i.KillAsync()));

    /// <summary>Runs a <c>mnemo</c> CLI verb on the cluster's database; returns its stdout, throws on failure.</summary>
    public async Task<string> CliAsync(string? stdin, params string[] args)
    {
        using var process = Process.Start(MnemoStartInfo(args, _environment, null))!;
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        return process.ExitCode == 0
            ? await stdout
            : throw new InvalidOperationException($"mnemo {string.Join(' ', args)} exited with {process.ExitCode}: {await stderr}");
    }

    /// <summary>An HTTP client to the balancer (redirects not followed, no cookies).</summary>
    public HttpClient Balanced() => Client(new Uri(Origin));

    /// <summary>An HTTP client straight to one instance, sending the public origin's Host as nginx would.</summary>
    public HttpClient Direct(MnemoInstance instance) => Client(instance.Socket);

    private HttpClient Client(Uri socket)
    {
        var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false })
        {
            BaseAddress = socket,
            Timeout = TimeSpan.FromSeconds(60),
        };
        http.DefaultRequestHeaders.Host = new Uri(Origin).Authority;
        return http;
    }

    internal static ProcessStartInfo MnemoStartInfo(
        IEnumerable<string> args, IReadOnlyDictionary<string, string> environment, IReadOnlyDictionary<string, string>? overrides)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "mnemo.dll"));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment.Concat(overrides ?? new Dictionary<string, string>()))
        {
            info.Environment[key] = value;
        }

        return info;
    }

    /// <summary>A loopback port free at the moment of asking.</summary>
    public static int FreePort() => FreePorts(1)[0];

    private static int[] FreePorts(int count)
    {
        // All held open together so the OS hands out distinct ports, then released for nginx and the instances.
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        try
        {
            listeners.ForEach(l => l.Start());
            return [.. listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)];
        }
        finally
        {
            listeners.ForEach(l => l.Stop());
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var instance in _instances)
        {
            await instance.DisposeAsync();
        }

        await Nginx.DisposeAsync();
        try
        {
            await TestPostgres.DropDatabaseAsync(ConnectionString);
        }
        finally
        {
            try
            {
                Directory.Delete(DataDir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
