using System.Text;
using Mnemo.Auth.Accounts;

namespace Mnemo.Server.Cli;

/// <summary>
/// Where <c>mnemo users password</c> gets the new password: one line of standard input when it is piped or
/// redirected (scripts, containers), otherwise a prompt on the terminal without echo, asked twice. Never
/// from the command line: arguments are visible to every local user in <c>ps</c> and end up in shell history.
/// </summary>
internal static class NewPasswordInput
{
    public static string Read(string userName)
    {
        if (Console.IsInputRedirected)
        {
            // Only the line ending is removed, so spaces that are part of a password survive.
            return Console.In.ReadLine()
                ?? throw new AccountException("Standard input was empty: pipe the new password as one line, or run the command in a terminal to be asked for it.");
        }

        var first = Prompt($"New password for '{userName}': ");
        var second = Prompt("Repeat it: ");
        return first == second ? first : throw new AccountException("The two passwords differ; nothing was changed.");
    }

    private static string Prompt(string question)
    {
        Console.Error.Write(question); // stderr: stdout stays for results a script may capture
        var password = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                Console.Error.WriteLine();
                return password.ToString();
            }

            if (key.Key == ConsoleKey.Backspace)
            {
                password.Length = Math.Max(0, password.Length - 1);
            }
            else if (!char.IsControl(key.KeyChar))
            {
                password.Append(key.KeyChar);
            }
        }
    }
}
