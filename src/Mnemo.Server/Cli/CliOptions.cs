using System.CommandLine;

namespace Mnemo.Server.Cli;

/// <summary>Options shared by several verbs.</summary>
internal static class CliOptions
{
    /// <summary>Recursive, so it is accepted anywhere after any verb: <c>mnemo users add bob --data-dir /srv/mnemo</c>.</summary>
    public static readonly Option<string?> DataDir = new("--data-dir")
    {
        Description = "Folder with Mnemo's database (default ./data, or Mnemo:DataDir).",
        HelpName = "PATH",
        Recursive = true,
    };

    public static readonly Option<string> Urls = new("--urls")
    {
        Description = "URLs to listen on, ';'-separated.",
        DefaultValueFactory = _ => Hosting.ServeSettings.DefaultUrls,
        HelpName = "URLS",
    };
}
