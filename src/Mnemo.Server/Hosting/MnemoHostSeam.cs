using Microsoft.Extensions.DependencyInjection;

namespace Mnemo.Server.Hosting;

/// <summary>
/// Where a test host (the conformance host under <c>tests/</c>) adds to Mnemo's own composition: MCP fixtures, and
/// middleware right before authentication (whose result, when a request has no credential, leaves its user in place). Internal so that no shipped code path can change who a request acts as;
/// the configure hook of <see cref="MnemoHost.CreateAsync(ServeSettings, Action{WebApplicationBuilder}?, CancellationToken)"/>
/// runs before Mnemo registers its services and cannot place middleware.
/// </summary>
internal sealed record MnemoHostSeam(Action<IMcpServerBuilder>? Mcp = null, Action<WebApplication>? BeforeAuthentication = null)
{
    public static readonly MnemoHostSeam None = new();
}
