using System.CommandLine;
using Mnemo.Auth.Accounts;

namespace Mnemo.Server.Cli;

/// <summary>
/// <c>mnemo users password|sign-out</c>: the owner's way to end a person's browser sessions (a new security
/// stamp). Both leave OAuth grants and API keys working; <c>users disable</c> stops everything.
/// </summary>
internal static class UsersSessionCommands
{
    public static Command Password()
    {
        var user = new Argument<string>("USER") { Description = "User name or id." };
        var command = new Command("password",
            "Set a new password, read from one line of standard input or asked for on the terminal (never an argument: arguments show in ps). Signs out every browser; apps and API keys keep working.")
        {
            user,
        };
        command.SetAction(async (parse, ct) =>
        {
            if (parse.UnmatchedTokens.Count > 0)
            {
                // Most likely the password itself: refuse rather than ignore it, so nobody believes it was set.
                return Cli.UsageError("'users password' takes only the user name: the new password is read from standard input or asked for, never taken from the command line (arguments show in ps and shell history).");
            }

            var name = parse.GetValue(user)!;
            await using var services = await DataServices.OpenAsync(parse, ct);
            var accounts = services.Get<IAccountService>();
            // Unknown name before the prompt: nobody types a password twice for a typo.
            var account = await accounts.FindAsync(name, ct) ?? throw new AccountException($"No user named '{name}'. 'mnemo users list' shows the existing users.");
            await accounts.SetPasswordAsync(account.Id, NewPasswordInput.Read(account.UserName), ct);
            Console.Error.WriteLine($"Changed the password of '{account.UserName}' and signed out every browser. Connected apps and API keys keep working.");
            return Cli.Success;
        });
        return command;
    }

    public static Command SignOut()
    {
        var user = new Argument<string>("USER") { Description = "User name or id." };
        var command = new Command("sign-out", "Sign the user out of every browser. Connected apps and API keys keep working ('users disable' stops those too).") { user };
        command.SetAction(async (parse, ct) =>
        {
            await using var services = await DataServices.OpenAsync(parse, ct);
            var account = await services.Get<IAccountService>().SignOutEverywhereAsync(parse.GetValue(user)!, ct);
            Console.Error.WriteLine($"Signed '{account.UserName}' out of every browser. Connected apps and API keys keep working.");
            return Cli.Success;
        });
        return command;
    }
}
