using Mnemo.Testing;
using System.Diagnostics;
using System.Text.Json;

namespace Mnemo.Server.Tests.Scale;

/// <summary>
/// Runs the official TypeScript SDK clients of <c>tests/clients</c> under Node 22, installing Node 22 into
/// <c>.tools/node22</c> and the clients into <c>tests/clients/node_modules</c> on first use exactly as
/// <c>scripts/clients.sh</c> does (from the npm registry). A missing toolchain fails the test; it never skips it.
/// </summary>
internal static class NodeClients
{
    private static readonly Lazy<Task<string>> Node = new(InstallAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    public static string RepositoryRoot => TestRepository.Root;

    /// <summary>
    /// Runs <c>tests/clients/bearer-client.mjs</c>; returns its one-line JSON summary and exit code.
    /// </summary>
    /// <param name="sdk"><c>v1</c> (@modelcontextprotocol/sdk) or <c>v2</c> (@modelcontextprotocol/client).</param>
    /// <param name="negotiation">v2 only: <c>auto</c> (probe with server/discover, MCP 2026-07-28 when offered) or <c>legacy</c> (the v2 default: initialize).</param>
    public static async Task<(int ExitCode, JsonElement Summary, string Output)> RunBearerClientAsync(
        string sdk, string mcpUrl, string bearer, int rounds = 3, string negotiation = "auto")
    {
        var (exitCode, stdout, stderr) = await RunAsync(
            await Node.Value, Path.Combine(RepositoryRoot, "tests", "clients", "bearer-client.mjs"), sdk, mcpUrl, bearer, rounds.ToString(System.Globalization.CultureInfo.InvariantCulture), negotiation);
        var line = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault(l => l.StartsWith('{'));
        if (line is null)
        {
            throw new InvalidOperationException($"bearer-client.mjs {sdk} printed no summary (exit {exitCode}): {stdout}\n{stderr}");
        }

        return (exitCode, JsonDocument.Parse(line).RootElement.Clone(), stdout + stderr);
    }

    private static async Task<string> InstallAsync()
    {
        var root = RepositoryRoot;
        // The same steps as scripts/clients.sh: Node 22 from .tools (installed there if missing), then npm ci if the
        // clients are not installed. Prints the node binary's path last.
        const string script = """
            set -euo pipefail
            die() { echo "$*" >&2; exit 2; }
            source scripts/lib/node22.sh
            ensure_node22
            if ! (cd tests/clients && node -e 'for (const p of ["@modelcontextprotocol/sdk", "@modelcontextprotocol/client"]) require.resolve(p + "/package.json")' 2>/dev/null); then
              (cd tests/clients && npm ci --no-audit --no-fund --loglevel=error >&2)
            fi
            command -v node
            """;
        var info = new ProcessStartInfo("bash") { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(script);
        info.Environment["ROOT"] = root;
        var (exitCode, stdout, stderr) = await RunProcessAsync(info, TimeSpan.FromMinutes(5));
        var node = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
        return exitCode == 0 && node is not null && File.Exists(node)
            ? node
            : throw new InvalidOperationException($"Node 22 and the TypeScript SDK clients could not be set up (exit {exitCode}): {stdout}\n{stderr}");
    }

    private static Task<(int ExitCode, string StdOut, string StdErr)> RunAsync(string node, string script, params string[] args)
    {
        var info = new ProcessStartInfo(node)
        {
            WorkingDirectory = Path.GetDirectoryName(script)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.ArgumentList.Add(script);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return RunProcessAsync(info, TimeSpan.FromMinutes(2));
    }

    private static async Task<(int ExitCode, string StdOut, string StdErr)> RunProcessAsync(ProcessStartInfo info, TimeSpan timeout)
    {
        info.UseShellExecute = false;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{info.FileName} {string.Join(' ', info.ArgumentList)} did not finish within {timeout}: {await stdout}\n{await stderr}");
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}
