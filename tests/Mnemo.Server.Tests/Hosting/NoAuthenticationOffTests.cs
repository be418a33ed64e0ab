using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Mnemo.Server.Hosting;
using Mnemo.Server.Tests.Infrastructure;

namespace Mnemo.Server.Tests.Hosting;

/// <summary>
/// The shipped mnemo has no flag or setting that serves /mcp without a credential: the conformance suite's fixed-user
/// host lives under tests/, and every MCP endpoint Mnemo maps demands authorization.
/// </summary>
public sealed class NoAuthenticationOffTests
{
    [Fact]
    public async Task EveryMcpEndpoint_RequiresAuthorization_AndNoneAllowsAnonymous()
    {
        var dataDir = Directory.CreateTempSubdirectory("mnemo-noauth-").FullName;
        await using var app = await MnemoHost.CreateAsync(new ServeSettings("http://127.0.0.1:0", dataDir, []));

        var mcpEndpoints = ((IEndpointRouteBuilder)app).DataSources.SelectMany(source => source.Endpoints).OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.TrimStart('/').StartsWith("mcp", StringComparison.OrdinalIgnoreCase) == true)
            .ToList();

        Assert.NotEmpty(mcpEndpoints);
        Assert.All(mcpEndpoints, endpoint =>
        {
            Assert.NotEmpty(endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>());
            Assert.Null(endpoint.Metadata.GetMetadata<IAllowAnonymous>());
        });
    }

    [Fact]
    public void ShippedAssemblies_CarryNoConformanceFixturesOrFixedUser()
    {
        var shipped = new[] { typeof(MnemoHost).Assembly, typeof(Mnemo.Auth.MnemoClaimTypes).Assembly, typeof(Mnemo.Memory.Memories.MemoryCaller).Assembly };

        var suspicious = shipped.SelectMany(a => a.GetTypes()).Where(t => t.FullName!.Contains("Conformance", StringComparison.OrdinalIgnoreCase)).ToList();

        Assert.Empty(suspicious);
    }

    [Theory]
    [InlineData("--conformance")]
    [InlineData("--no-auth")]
    public async Task Serve_WithAnAuthOffStyleFlag_IsAUsageError(string flag)
    {
        var result = await MnemoProcess.RunAsync(null, "serve", flag, "--urls", "http://127.0.0.1:0");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(flag, result.StdErr);
    }

    [Fact]
    public async Task Mcp_WithoutACredential_Is401_WhateverTheConfiguration()
    {
        await using var server = await MnemoTestServer.StartAsync(configuration: new Dictionary<string, string?>
        {
            ["Mnemo:Conformance"] = "true",
            ["Mnemo:Auth:Enabled"] = "false",
            ["Mnemo:Mcp:RequireAuthorization"] = "false",
        });
        using var http = server.CreateHttpClient();

        using var response = await http.PostAsync("/mcp", new StringContent("""{"jsonrpc":"2.0","id":1,"method":"tools/list"}""", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
