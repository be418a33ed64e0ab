namespace Mnemo.Server.Hosting;

/// <summary>What <c>mnemo serve</c> was asked for on the command line.</summary>
/// <param name="Urls">Kestrel URLs, <c>;</c>-separated.</param>
/// <param name="DataDir">Overrides <c>Mnemo:DataDir</c> when given.</param>
/// <param name="Conformance">Registers the MCP conformance fixtures and turns off auth on <c>/mcp</c> (loopback only).</param>
/// <param name="ConfigurationArgs">Remaining <c>--Key=Value</c> options, passed to configuration.</param>
public sealed record ServeSettings(string Urls, string? DataDir, bool Conformance, IReadOnlyList<string> ConfigurationArgs)
{
    public const string DefaultUrls = "http://localhost:5080";

    /// <summary>Conformance mode has no authentication, so it may only listen where nobody else can reach it.</summary>
    public IReadOnlyList<string> NonLoopbackUrls() =>
        [.. Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(url => !Uri.TryCreate(url, UriKind.Absolute, out var uri) || !LoopbackHost.IsLoopback(uri.Host))];
}
