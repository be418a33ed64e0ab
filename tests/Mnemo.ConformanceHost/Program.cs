using Mnemo.ConformanceHost;
using Mnemo.ConformanceHost.Fixtures;
using Mnemo.Server.Hosting;

// The MCP conformance suite's server (scripts/conformance.sh): Mnemo's own composition, plus the suite's fixtures and
// one fixed local user, because the suite cannot send a credential. Loopback only, checked on the bound addresses.
//   dotnet Mnemo.ConformanceHost.dll --urls http://127.0.0.1:PORT --data-dir DIR
var urls = Option(args, "--urls") ?? "http://127.0.0.1:5090";
var dataDir = Option(args, "--data-dir") ?? Directory.CreateTempSubdirectory("mnemo-conformance-").FullName;

var seam = new MnemoHostSeam(
    Mcp: mcp => mcp.AddConformanceFixtures(),
    BeforeAuthentication: app => app.UseMiddleware<ConformanceUserMiddleware>());
await using var host = await MnemoHost.CreateAsync(new ServeSettings(urls, dataDir, []), configure: null, seam, CancellationToken.None);
await host.StartAsync();
if (MnemoHost.BindingProblem(host, conformance: true) is { } problem)
{
    await host.StopAsync();
    Console.Error.WriteLine($"conformance host: {problem}");
    return 1;
}

host.Logger.LogWarning("Conformance host: every /mcp request acts as one fixed local user. A test tool, never for real data.");
await host.WaitForShutdownAsync();
return 0;

static string? Option(string[] args, string name)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}
