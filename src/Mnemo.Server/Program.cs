// The `mnemo` executable: `serve` (the default) runs the server; other verbs manage data directly.
return await Mnemo.Server.Cli.Cli.RunAsync(args);

/// <summary>Entry point type, public for WebApplicationFactory-style tests.</summary>
public partial class Program;
