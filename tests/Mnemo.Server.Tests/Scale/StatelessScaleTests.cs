using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace Mnemo.Server.Tests.Scale;

/// <summary>
/// Three instances with <c>Mnemo:Mcp:SessionMode=Stateless</c> behind round-robin nginx: no session anywhere, so every
/// MCP client — also those that start with <c>initialize</c> — works without sticky routing.
/// </summary>
[Collection(ScaleCollection.Name)]
[Trait("Provider", "Postgres")]
public sealed class StatelessScaleTests(StatelessScaleClusterFixture fixture, ITestOutputHelper output) : IClassFixture<StatelessScaleClusterFixture>
{
    private ScaleCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task PlainHttpInitializeAndToolCalls_WorkAcrossInstances_InStatelessMode()
    {
        using var balanced = Cluster.Balanced();
        var session = await RawMcpSession.StartAsync(balanced, fixture.ApiKey);
        Assert.Null(session.SessionId);

        for (var round = 0; round < 3; round++)
        {
            var marker = "axolotl" + Guid.NewGuid().ToString("N")[..8];
            var fact = $"Alice's {marker} lives in a tank on the windowsill.";
            await session.AddAsync(fact);
            Assert.Contains(fact, await session.SearchAsync(marker));
            var listed = await session.CallToolAsync("list_memories", new JsonObject { ["limit"] = 1 });
            Assert.Single(listed["memories"]!.AsArray());
        }

        output.WriteLine("served by: " + string.Join(", ", session.Upstreams));
        var instances = session.Upstreams.Distinct().ToList();
        Assert.True(instances.Count == Cluster.Instances.Count, $"round robin should reach all three instances over 11 requests: {string.Join(", ", session.Upstreams)}");
    }

    [Fact]
    public async Task SessionClients_WorkThroughRoundRobin_InStatelessMode()
    {
        // The same clients that fail through round robin in Hybrid mode (ScaleOutTests): here no session is handed out.
        foreach (var (sdk, negotiation) in new[] { ("v1", "legacy"), ("v2", "legacy"), ("v2", "auto") })
        {
            var (exitCode, summary, log) = await NodeClients.RunBearerClientAsync(sdk, Cluster.McpUrl, fixture.ApiKey, rounds: 2, negotiation: negotiation);
            output.WriteLine(log);
            Assert.True(exitCode == 0, $"{sdk} ({negotiation}) failed through round robin: {log}");
            var upstreams = summary.GetProperty("upstreams").EnumerateArray().Select(u => u.GetString()).Distinct().ToList();
            Assert.True(upstreams.Count >= 2, $"{sdk} ({negotiation}): all requests went to {string.Join(", ", upstreams)}");
        }
    }
}
