using System.CommandLine;
using System.Data.Common;
using System.Globalization;
using Mnemo.Auth;
using Mnemo.Memory;
using Mnemo.Server.Hosting;
using Mnemo.Storage;
using Mnemo.Storage.Copy;
using Npgsql;

namespace Mnemo.Server.Cli;

/// <summary>
/// <c>mnemo db migrate --to-postgres "…"</c>: moves an installation from its SQLite file to PostgreSQL. It copies every
/// table of both modules, keys and all, into an empty PostgreSQL database, verifies each table by row count and
/// checksum, and commits only when everything matches, so the target ends up either a verified copy or as empty as it
/// was. The SQLite file is only read (after its own migrations, as every verb does).
/// </summary>
/// <remarks>
/// Run it with <c>serve</c> stopped. The source is read in one snapshot, so a server still running cannot make the copy
/// inconsistent, but whatever it writes after the snapshot stays behind in the SQLite file.
/// The connection string may hold a password: it is never printed, neither in messages nor in the settings shown at
/// the end, and <c>--to-postgres -</c> reads it from standard input to keep it out of the process list and shell history.
/// </remarks>
internal static class DbCommand
{
    public static Command Create()
    {
        var db = new Command("db", "Move Mnemo's database to another engine.");
        db.Subcommands.Add(Migrate());
        return db;
    }

    private static Command Migrate()
    {
        var toPostgres = new Option<string>("--to-postgres")
        {
            Description = "Connection string of an empty PostgreSQL database, e.g. \"Host=db.example.com;Database=mnemo;Username=mnemo;Password=…\"; '-' reads it from standard input.",
            Required = true,
            HelpName = "CONNECTION_STRING",
        };
        var command = new Command("migrate",
            "Copy everything from the data folder's SQLite database (accounts, API keys, OAuth clients and tokens, keys, audit log, memories) " +
            "to an empty PostgreSQL database, verify it table by table, and print the settings to switch to it. Run it with 'mnemo serve' stopped.")
        {
            toPostgres,
        };
        command.SetAction(async (parse, ct) =>
        {
            if (parse.UnmatchedTokens.Count > 0)
            {
                // Not echoed, unlike other verbs: a misplaced connection string would be printed with its password.
                return Cli.UsageError("unexpected argument for 'db migrate' (not shown: it may hold a password). Give the connection string with --to-postgres \"…\".");
            }

            var value = parse.GetValue(toPostgres)!;
            if (value == "-")
            {
                value = (await Console.In.ReadLineAsync(ct))?.Trim() ?? "";
            }

            if (Target(value) is not { } target)
            {
                return Cli.UsageError("--to-postgres is not a PostgreSQL connection string with a Host, e.g. \"Host=db.example.com;Database=mnemo;Username=mnemo;Password=…\".");
            }

            return await RunAsync(parse, target, ct);
        });
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, NpgsqlConnectionStringBuilder target, CancellationToken ct)
    {
        var (configuration, options) = DataServices.Configuration(parse);
        var file = Path.Combine(Path.GetFullPath(options.DataDir), DataDirectory.DatabaseFileName);
        if (!File.Exists(file))
        {
            return Cli.Fail($"there is no database to copy at {file}. Point --data-dir (or Mnemo:DataDir) at the data folder 'mnemo serve' uses.");
        }

        var sourceDatabase = DatabaseConnection.Sqlite(DataDirectory.ConnectionString(options.DataDir));
        var targetDatabase = DatabaseConnection.Postgres(target.ConnectionString);
        var name = string.IsNullOrEmpty(target.Database) ? target.Username : target.Database;
        var where = $"PostgreSQL database '{name ?? "(default)"}' on {target.Host}:{target.Port}";
        await using var from = DataServices.Build(configuration, options, sourceDatabase);
        await using var to = DataServices.Build(configuration, options, targetDatabase);
        await AuthDatabase.MigrateAsync(from, ct);
        await MemoryDatabase.MigrateAsync(from, ct);

        List<TableRowCount> existing;
        try
        {
            existing = [.. await AuthDatabase.CountRowsAsync(to, ct), .. await MemoryDatabase.CountRowsAsync(to, ct)];
        }
        catch (Exception e) when (Database(e) is { } reason)
        {
            return Cli.Fail($"cannot use the {where}: {reason.Message}");
        }

        var occupied = existing.Where(c => c.Rows > 0).ToList();
        if (occupied.Count > 0)
        {
            // Refused before anything is written, not even the schema: copying into live data would mix two installations.
            return Cli.Fail(
                $"the {where} is not empty: {string.Join(", ", occupied.Select(c => $"{c.Table} has {Rows(c.Rows)}"))}. " +
                "'db migrate' copies only into an empty database, so that nothing there is overwritten or mixed with this installation; " +
                "nothing was changed. Give it a new database (CREATE DATABASE …), or empty this one if it holds nothing you need.");
        }

        Console.Error.WriteLine($"Copying {file} to the {where}.");
        await AuthDatabase.MigrateForCopyAsync(to, ct);
        await MemoryDatabase.MigrateAsync(to, ct);

        var progress = new CopyProgressWriter();
        List<TableVerification> tables;
        await using (var copy = await DatabaseCopy.BeginAsync(sourceDatabase, targetDatabase, DatabaseCopier.DefaultBatchSize, progress, ct))
        {
            try
            {
                tables = [.. await AuthDatabase.CopyAsync(from, to, copy, ct), .. await MemoryDatabase.CopyAsync(from, to, copy, ct)];
            }
            catch (Exception e) when (Database(e) is { } reason || e is InvalidOperationException)
            {
                return Cli.Fail(
                    $"copying {progress.Table ?? "the tables"} failed: {(Database(e) ?? e).Message} " +
                    "Nothing was committed: the PostgreSQL database has Mnemo's tables and no rows.");
            }

            Table.Write(["TABLE", "ROWS", "CHECKSUM"], tables.Select(t => new[]
            {
                t.Table,
                t.Source.Rows == t.Target.Rows ? Count(t.Target.Rows) : $"{Count(t.Target.Rows)} of {Count(t.Source.Rows)}",
                t.Matches ? "ok" : "MISMATCH",
            }));
            var mismatched = tables.Where(t => !t.Matches).ToList();
            if (mismatched.Count > 0)
            {
                return Cli.Fail(
                    $"the copy does not match its source in {string.Join(", ", mismatched.Select(t => t.Table))}. " +
                    "Nothing was committed: the PostgreSQL database has Mnemo's tables and no rows. Please report this, with the table above.");
            }

            await copy.CommitAsync(ct);
        }

        var rows = tables.Sum(t => t.Target.Rows);
        Console.Error.WriteLine($"Copied {tables.Count} tables, {Rows(rows)}; every table's row count and checksum match its source.");
        Console.Error.WriteLine();
        Console.Error.WriteLine("Next, with 'mnemo serve' still stopped, switch it to PostgreSQL with these two settings (in appsettings.json, or as the environment variables shown):");
        Console.Error.WriteLine("  Mnemo:Database:Provider = Postgres         (Mnemo__Database__Provider=Postgres)");
        Console.Error.WriteLine($"  ConnectionStrings:Mnemo = {Shown(target)}   (ConnectionStrings__Mnemo=\"…\")");
        Console.Error.WriteLine("then start 'mnemo serve' again. Connected assistants keep working: their OAuth tokens, API keys, clients and the keys that");
        Console.Error.WriteLine("sign and encrypt tokens were copied as they are, so nobody signs in or reconnects.");
        Console.Error.WriteLine($"{file} is left as it was: keep it as a backup, and do not start 'serve' on it again once PostgreSQL is in use.");
        return Cli.Success;
    }

    /// <summary>
    /// The database's own error behind <paramref name="e"/> (EF wraps it in a DbUpdateException, or in an
    /// InvalidOperationException about transient failures), whose message says what went wrong (and never holds the
    /// password); null when the exception did not come from the database.
    /// </summary>
    private static Exception? Database(Exception e)
    {
        for (Exception? current = e; current is not null; current = current.InnerException)
        {
            if (current is DbException or TimeoutException or System.Net.Sockets.SocketException)
            {
                return current;
            }
        }

        return null;
    }

    /// <summary>The connection string parsed, or null when it is not one Npgsql accepts or names no host.</summary>
    private static NpgsqlConnectionStringBuilder? Target(string connectionString)
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            return string.IsNullOrWhiteSpace(builder.Host) ? null : builder;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException)
        {
            // Not shown: Npgsql's message may quote part of the string.
            return null;
        }
    }

    /// <summary>The connection string to put in the settings, with every password replaced by a placeholder.</summary>
    internal static string Shown(NpgsqlConnectionStringBuilder target)
    {
        var shown = new NpgsqlConnectionStringBuilder(target.ConnectionString);
        if (!string.IsNullOrEmpty(shown.Password))
        {
            shown.Password = "<password>";
        }

        if (!string.IsNullOrEmpty(shown.SslPassword))
        {
            shown.SslPassword = "<password>";
        }

        return shown.ConnectionString;
    }

    private static string Count(long rows) => rows.ToString("N0", CultureInfo.InvariantCulture);

    private static string Rows(long rows) => rows == 1 ? "1 row" : $"{Count(rows)} rows";

    /// <summary>A line per table as it is done (and every 50,000 rows of a big one) on stderr; remembers the table being copied for error messages.</summary>
    private sealed class CopyProgressWriter : IProgress<TableCopyProgress>
    {
        public string? Table { get; private set; }

        public void Report(TableCopyProgress value)
        {
            Table = value.Table;
            if (value.Done)
            {
                Console.Error.WriteLine($"  {value.Table}: {Rows(value.Rows)}");
            }
            else if (value.Rows % 50_000 < DatabaseCopier.DefaultBatchSize && value.Rows >= 50_000)
            {
                Console.Error.WriteLine($"  {value.Table}: {Count(value.Rows)} rows…");
            }
        }
    }
}
