using System.Diagnostics;
using System.Globalization;

namespace Mnemo.Bench.Floor;

/// <summary>
/// The two references of the floor bench, prepared and started by the bench itself: the C# SDK echo behind JwtBearer
/// (bench/Mnemo.Bench.EchoCSharp, built in Release when its output is missing) and the TypeScript SDK echo
/// (bench/echo-ts, <c>npm ci</c> when its node_modules is missing).
/// </summary>
internal static class EchoReferences
{
    public const string Issuer = "mnemo-floor-bench";
    public const string Audience = "echo-csharp";

    public static async Task<ReferenceServer> StartCSharpAsync(string repositoryRoot, byte[] signingKey)
    {
        var project = Path.Combine(repositoryRoot, "bench", "Mnemo.Bench.EchoCSharp");
        var dll = Path.Combine(project, "bin", "Release", "net10.0", "Mnemo.Bench.EchoCSharp.dll");
        if (!File.Exists(dll))
        {
            Console.WriteLine("building the C# echo reference (dotnet build -c Release) …");
            await RunToEndAsync("dotnet", ["build", "-c", "Release", project], repositoryRoot);
        }

        var port = Latency.ServerUnderTest.FreePort();
        return await ReferenceServer.StartAsync("echo-csharp", "dotnet",
            [dll, "--port", port.ToString(CultureInfo.InvariantCulture), "--signing-key", Convert.ToBase64String(signingKey), "--issuer", Issuer, "--audience", Audience],
            project, port);
    }

    public static async Task<ReferenceServer> StartTypeScriptAsync(string repositoryRoot)
    {
        var folder = Path.Combine(repositoryRoot, "bench", "echo-ts");
        if (!Directory.Exists(Path.Combine(folder, "node_modules")))
        {
            Console.WriteLine("installing the TypeScript echo reference (npm ci) …");
            await RunToEndAsync("npm", ["ci", "--no-audit", "--no-fund"], folder);
        }

        var port = Latency.ServerUnderTest.FreePort();
        return await ReferenceServer.StartAsync("echo-ts", Environment.GetEnvironmentVariable("MNEMO_BENCH_NODE") ?? "node",
            ["server.mjs", port.ToString(CultureInfo.InvariantCulture)], folder, port);
    }

    private static async Task RunToEndAsync(string fileName, IEnumerable<string> args, string workingDirectory)
    {
        var info = new ProcessStartInfo(fileName) { WorkingDirectory = workingDirectory, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {fileName}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{fileName} {string.Join(' ', info.ArgumentList)} failed ({process.ExitCode}): {await stdout}{await stderr}");
        }
    }

    /// <summary>The checkout this bench runs from: the folder above it holding Mnemo.slnx.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Mnemo.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("Cannot find Mnemo.slnx above the benchmark");
    }
}
