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
        command.Options.Add(CliOptions.Conformance);
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

        var settings = new ServeSettings(parse.GetValue(CliOptions.Urls) ?? ServeSettings.DefaultUrls, parse.GetValue(CliOptions.DataDir), parse.GetValue(CliOptions.Conformance), configArgs);
        if (settings.Conformance && settings.NonLoopbackUrls() is { Count: > 0 } exposed)
        {
            return Cli.Fail($"--conformance turns off authentication, so every --urls host must be loopback (localhost, 127.0.0.0/8, [::1]); refusing {string.Join(", ", exposed)}.");
        }

        await using var app = await MnemoHost.CreateAsync(settings, cancellationToken: cancellationToken);
        await app.StartAsync(cancellationToken);
        if (MnemoHost.BindingProblem(app, settings.Conformance) is { } problem)
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
