using System.CommandLine;
using Mnemo.Memory;
using Spectre.Console;

namespace Mnemo.Server.Cli;

/// <summary>
/// <c>mnemo reindex</c>: recomputes every memory's vectors with the configured embedding model, e.g. after a model
/// change. (The keyword index needs no rebuild: each process builds it in memory from the memories table.) Safe next to a running server (SQLite WAL, one short transaction per page).
/// The progress bar goes to stderr; stdout gets only the count.
/// </summary>
internal static class ReindexCommand
{
    public static Command Create()
    {
        var command = new Command("reindex", "Recompute the vectors of every memory with the configured embedding model.");
        command.SetAction(async (parse, ct) =>
        {
            await using var services = await DataServices.OpenAsync(parse, ct);
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
            var count = 0;
            await console.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .StartAsync(async context =>
                {
                    var task = context.AddTask("Loading the embedding model", maxValue: 1);
                    var progress = new Progress<(int Done, int Total)>(p =>
                    {
                        task.Description = "Indexing memories";
                        task.MaxValue = Math.Max(1, p.Total);
                        task.Value = p.Done;
                    });
                    count = await MemoryDatabase.ReindexAsync(services.Get<IServiceProvider>(), progress, ct);
                    task.Value = task.MaxValue;
                });
            Console.Error.WriteLine($"Re-indexed {count} memories.");
            Console.Out.WriteLine(count);
            return Cli.Success;
        });
        return command;
    }
}
