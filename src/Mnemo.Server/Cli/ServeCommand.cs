using System.CommandLine;
using Mnemo.Server.Hosting;

namespace Mnemo.Server.Cli;

/// <summary><c>mnemo serve</c>, also what <c>mnemo</c> does with no verb.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var command = new Command("serve", "Run the Mnemo server (the default when no verb is given).");
        Configure(command);
        return command;
    }

    /// <summary>Adds serve's options and action to a command (the root command serves too).</summary>
    public static void Configure(Command command)
    {
        command.Options.Add(CliOptions.Urls);
        // Unknown --Key=Value options are configuration (e.g. --Mnemo:PublicUrl=https://m.example.com).
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(RunAsync);
    }

    private static async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var configArgs = parse.UnmatchedTokens.ToList();
        if (configArgs.FirstOrDefault(token => !token.StartsWith("--", StringComparison.Ordinal) && !IsValueOfPrevious(configArgs, token)) is { } stray)
        {
            return Cli.UsageError($"Unrecognized argument '{stray}'. Run 'mnemo --help' for the verbs.");
        }

        // Configuration keys are sectioned (--Mnemo:PublicUrl=…, --Kestrel:Endpoints:…); a bare --word is a typo or an
        // option this version does not have, and must not be silently ignored.
        if (configArgs.FirstOrDefault(token => token.StartsWith("--", StringComparison.Ordinal) && !token.Split('=', 2)[0].Contains(':')) is { } unknown)
        {
            return Cli.UsageError($"Unknown option '{unknown}'. Configuration options look like --Section:Key=Value (e.g. --Mnemo:PublicUrl=https://mnemo.example.com); run 'mnemo serve --help' for the others.");
        }

        var settings = new ServeSettings(parse.GetValue(CliOptions.Urls) ?? ServeSettings.DefaultUrls, parse.GetValue(CliOptions.DataDir), configArgs);

        await using var app = await MnemoHost.CreateAsync(settings, cancellationToken: cancellationToken);
        await app.StartAsync(cancellationToken);
        if (MnemoHost.BindingProblem(app) is { } problem)
        {
            // Until here the peer check (HostValidationMiddleware) answered only loopback callers.
            await app.StopAsync(CancellationToken.None);
            return Cli.Fail(problem);
        }

        await app.WaitForShutdownAsync(cancellationToken);
        return 0;
    }

    /// <summary>In "--Key Value" form the value follows a key without '='.</summary>
    private static bool IsValueOfPrevious(List<string> tokens, string token)
    {
        var index = tokens.IndexOf(token);
        return index > 0 && tokens[index - 1].StartsWith("--", StringComparison.Ordinal) && !tokens[index - 1].Contains('=');
    }
}
