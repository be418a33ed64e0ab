namespace Mnemo.Server.Hosting;

/// <summary>What <c>mnemo serve</c> was asked for on the command line.</summary>
/// <param name="Urls">Kestrel URLs, <c>;</c>-separated.</param>
/// <param name="DataDir">Overrides <c>Mnemo:DataDir</c> when given.</param>
/// <param name="ConfigurationArgs">Remaining <c>--Key=Value</c> options, passed to configuration.</param>
public sealed record ServeSettings(string Urls, string? DataDir, IReadOnlyList<string> ConfigurationArgs)
{
    public const string DefaultUrls = "http://localhost:5080";
}
