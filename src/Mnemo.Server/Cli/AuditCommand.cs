using System.CommandLine;
using System.Text.Json;
using Mnemo.Auth.Accounts;
using Mnemo.Auth.Audit;

namespace Mnemo.Server.Cli;

/// <summary>
/// <c>mnemo audit [--user U] [--since T] [--limit N] [--json]</c>: the audit log of OAuth and account events, oldest
/// first. A table for people, or one JSON object per line for scripts. Never contains tokens, passwords or secrets.
/// </summary>
internal static class AuditCommand
{
    public static Command Create()
    {
        var user = new Option<string?>("--user")
        {
            Description = "Only this account's events: a user name or id. A deleted account's events are found by the id it had.",
            HelpName = "U",
        };
        var since = new Option<string?>("--since")
        {
            Description = "Only events at or after this time: RFC 3339 (2026-05-01T08:00:00Z), a date (2026-05-01, UTC), or a duration back from now (30m, 12h, 7d, 2w).",
            HelpName = "T",
        };
        var limit = new Option<int?>("--limit") { Description = "Only the N most recent events.", HelpName = "N" };
        var json = new Option<bool>("--json") { Description = "One JSON object per line (time, kind, user_id, client_id, client_ip, detail)." };
        var command = new Command("audit",
            "Show the audit log: sign-ins, failures, password changes, accounts, API keys, OAuth clients, consents, tokens issued, refreshed, revoked or replayed, rate limits. " +
            "Kept Mnemo:Audit:RetentionDays days (default 180).")
        {
            user, since, limit, json,
        };
        command.SetAction(async (parse, ct) =>
        {
            if (ExtraArguments.Refuse(parse) is { } usage)
            {
                return usage;
            }

            DateTimeOffset? from = null;
            if (parse.GetValue(since) is { } text)
            {
                if (SinceParser.Parse(text, DateTimeOffset.UtcNow) is not { } parsed)
                {
                    return Cli.UsageError($"--since '{text}' is neither an RFC 3339 time (2026-05-01T08:00:00Z), a date (2026-05-01) nor a duration (30m, 12h, 7d, 2w).");
                }

                from = parsed;
            }

            if (parse.GetValue(limit) is < 1)
            {
                return Cli.UsageError("--limit must be 1 or more.");
            }

            await using var services = await DataServices.OpenAsync(parse, ct);
            var accounts = services.Get<IAccountService>();
            string? userId = null;
            if (parse.GetValue(user) is { } who)
            {
                userId = (await accounts.FindAsync(who, ct))?.Id;
                if (userId is null)
                {
                    Console.Error.WriteLine($"No account is named '{who}' or has that id now; showing the events of a deleted account that had the id '{who}', if any.");
                    userId = who;
                }
            }

            var events = await services.Get<IAuditTrail>().ListAsync(userId, from, parse.GetValue(limit), ct);
            if (parse.GetValue(json))
            {
                WriteJsonLines(events);
            }
            else
            {
                var names = (await accounts.ListAsync(ct)).ToDictionary(a => a.Id, a => a.UserName, StringComparer.Ordinal);
                Table.Write(["TIME (UTC)", "EVENT", "USER", "CLIENT", "IP", "DETAIL"],
                    events.Select(e => new[]
                    {
                        e.Time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss"), e.Kind,
                        e.UserId is null ? "" : names.GetValueOrDefault(e.UserId, e.UserId),
                        e.ClientId ?? "", e.ClientIp ?? "", e.Detail ?? "",
                    }));
            }

            return Cli.Success;
        });
        return command;
    }

    private static void WriteJsonLines(IEnumerable<AuditEntry> events)
    {
        using var stdout = Console.OpenStandardOutput();
        foreach (var entry in events)
        {
            using (var writer = new Utf8JsonWriter(stdout))
            {
                writer.WriteStartObject();
                writer.WriteString("time", entry.Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'"));
                writer.WriteString("kind", entry.Kind);
                writer.WriteString("user_id", entry.UserId);
                writer.WriteString("client_id", entry.ClientId);
                writer.WriteString("client_ip", entry.ClientIp);
                writer.WriteString("detail", entry.Detail);
                writer.WriteEndObject();
            }

            stdout.WriteByte((byte)'\n');
        }
    }
}
