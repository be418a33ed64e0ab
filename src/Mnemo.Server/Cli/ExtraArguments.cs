using System.CommandLine;

namespace Mnemo.Server.Cli;

/// <summary>
/// The root command lets unknown tokens through (they are configuration for <c>serve</c>), so a verb that takes no
/// free arguments refuses them itself: a mistyped option must not be silently ignored (<c>signing-keys rotate --nwo</c>
/// would become a rotation that waits a day; <c>audit --snce 1d</c> would print everything).
/// </summary>
internal static class ExtraArguments
{
    /// <summary>Exit code <see cref="Cli.Usage"/> with a message naming the first unknown token, or null when there is none.</summary>
    public static int? Refuse(ParseResult parse)
    {
        if (parse.UnmatchedTokens.Count == 0)
        {
            return null;
        }

        var command = string.Join(' ', Path(parse.CommandResult.Command));
        return Cli.UsageError($"unknown argument '{parse.UnmatchedTokens[0]}' for '{command}'. Run 'mnemo {command} --help' for usage.");
    }

    private static List<string> Path(Command command)
    {
        List<string> names = [];
        for (Command? current = command; current is not null and not RootCommand; current = current.Parents.OfType<Command>().FirstOrDefault())
        {
            names.Insert(0, current.Name);
        }

        return names;
    }
}
