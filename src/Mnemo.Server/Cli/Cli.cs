using System.CommandLine;
using Mnemo.Auth.Accounts;
using Mnemo.Memory.Memories;

namespace Mnemo.Server.Cli;

/// <summary>
/// The <c>mnemo</c> command line. Exit codes: 0 success, 1 failure, 2 usage error. Results a script may
/// capture go to stdout; everything said to the person goes to stderr.
/// </summary>
public static class Cli
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int Usage = 2;

    public static async Task<int> RunAsync(string[] args)
    {
        var root = new RootCommand("Mnemo: long-term memory for AI assistants, over MCP.");
        root.Options.Add(CliOptions.DataDir);
        ServeCommand.Configure(root);
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(UsersCommand.Create());
        root.Subcommands.Add(KeysCommand.Create());
        root.Subcommands.Add(ClientsCommand.Create());
        root.Subcommands.Add(SigningKeysCommand.Create());
        root.Subcommands.Add(AuditCommand.Create());
        // Memory module (issue 4): rebuild search indexes after a model change.
        root.Subcommands.Add(ReindexCommand.Create());
        // SQLite to PostgreSQL: db migrate --to-postgres.
        root.Subcommands.Add(DbCommand.Create());

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                Console.Error.WriteLine($"mnemo: {error.Message}");
            }

            Console.Error.WriteLine("Run 'mnemo --help' for usage.");
            return Usage;
        }

        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (e is AccountException or MemoryValidationException)
        {
            return Fail(e.Message);
        }
        catch (OperationCanceledException)
        {
            return Failure;
        }
        catch (Exception e)
        {
            // A crash dump helps nobody running a CLI verb; the type and message say what went wrong.
            return Fail($"unexpected error: {e.GetType().Name}: {e.Message}");
        }
    }

    internal static int Fail(string message)
    {
        Console.Error.WriteLine($"mnemo: {message}");
        return Failure;
    }

    internal static int UsageError(string message)
    {
        Console.Error.WriteLine($"mnemo: {message}");
        return Usage;
    }
}
