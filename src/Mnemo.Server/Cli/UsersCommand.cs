using System.CommandLine;
using System.Security.Cryptography;
using Mnemo.Auth.Accounts;
using Mnemo.Memory.Memories;

namespace Mnemo.Server.Cli;

/// <summary>
/// <c>mnemo users add|list|disable|delete|password|sign-out</c>. Never prompts, except <c>users password</c>
/// on a terminal (piped input is read instead): safe in scripts and containers.
/// </summary>
internal static class UsersCommand
{
    private const int GeneratedPasswordLength = 24;

    public static Command Create()
    {
        var users = new Command("users", "Manage local accounts.");
        users.Subcommands.Add(Add());
        users.Subcommands.Add(List());
        users.Subcommands.Add(Disable());
        users.Subcommands.Add(Delete());
        users.Subcommands.Add(UsersSessionCommands.Password());
        users.Subcommands.Add(UsersSessionCommands.SignOut());
        return users;
    }

    private static Command Add()
    {
        var user = new Argument<string>("USER") { Description = "User name." };
        var email = new Option<string?>("--email") { Description = "Email address.", HelpName = "E" };
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read the password from one line of standard input." };
        var command = new Command("add", "Create an account. Without --password-stdin a password is generated and printed once.") { user, email, passwordStdin };
        command.SetAction(async (parse, ct) =>
        {
            string password;
            var generated = !parse.GetValue(passwordStdin);
            if (generated)
            {
                password = RandomNumberGenerator.GetString("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789", GeneratedPasswordLength);
            }
            else
            {
                password = ReadPasswordLine(Console.In);
            }

            await using var services = await DataServices.OpenAsync(parse, ct);
            var account = await services.Get<IAccountService>().CreateAsync(parse.GetValue(user)!, parse.GetValue(email), password, ct);
            Console.Error.WriteLine($"Created user '{account.UserName}' (id {account.Id}).");
            if (generated)
            {
                Console.Error.WriteLine("Generated password (shown only now):");
                Console.Out.WriteLine(password);
            }

            return Cli.Success;
        });
        return command;
    }

    /// <summary>One line; only the line ending is removed, so spaces that are part of a password survive.</summary>
    internal static string ReadPasswordLine(TextReader input)
    {
        var line = input.ReadLine() ?? throw new AccountException("--password-stdin was given but standard input was empty.");
        return line;
    }

    private static Command List()
    {
        var command = new Command("list", "List accounts.");
        command.SetAction(async (parse, ct) =>
        {
            await using var services = await DataServices.OpenAsync(parse, ct);
            var accounts = await services.Get<IAccountService>().ListAsync(ct);
            Table.Write(["USER", "ID", "EMAIL", "STATUS", "CREATED"],
                accounts.Select(a => new[] { a.UserName, a.Id, a.Email ?? "", a.Disabled ? "disabled" : "active", a.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm") }));
            return Cli.Success;
        });
        return command;
    }

    private static Command Disable()
    {
        var user = new Argument<string>("USER") { Description = "User name." };
        var command = new Command("disable", "Disable an account: it can no longer sign in, and its browser sessions, keys and tokens stop working.") { user };
        command.SetAction(async (parse, ct) =>
        {
            await using var services = await DataServices.OpenAsync(parse, ct);
            var account = await services.Get<IAccountService>().DisableAsync(parse.GetValue(user)!, ct);
            Console.Error.WriteLine($"Disabled user '{account.UserName}'.");
            return Cli.Success;
        });
        return command;
    }

    private static Command Delete()
    {
        var user = new Argument<string>("USER") { Description = "User name." };
        var command = new Command("delete", "Delete an account, its keys and its memories.") { user };
        command.SetAction(async (parse, ct) =>
        {
            await using var services = await DataServices.OpenAsync(parse, ct);
            var account = await services.Get<IAccountService>().DeleteAsync(parse.GetValue(user)!, ct);
            var erased = await services.Get<IMemoryAdministration>().PurgeUserAsync(account.Id, ct);
            Console.Error.WriteLine($"Deleted user '{account.UserName}' and {erased} memories.");
            return Cli.Success;
        });
        return command;
    }
}
