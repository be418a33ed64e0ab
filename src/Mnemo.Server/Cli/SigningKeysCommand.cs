using System.CommandLine;
using Mnemo.Auth.OAuth.Keys;

namespace Mnemo.Server.Cli;

/// <summary>
/// <c>mnemo signing-keys list|rotate</c>: the OAuth server's signing and encryption keys. Shows ids and dates only,
/// never key material. Works while <c>serve</c> runs: every instance picks up a change within a minute.
/// </summary>
internal static class SigningKeysCommand
{
    public static Command Create()
    {
        var keys = new Command("signing-keys", "Manage the keys OAuth tokens are signed and encrypted with (they also rotate by themselves).");
        keys.Subcommands.Add(List());
        keys.Subcommands.Add(Rotate());
        return keys;
    }

    private static Command List()
    {
        var command = new Command("list", "List the keys: id, use (sig: signing, enc: encryption), dates and state. Never the keys themselves.");
        command.SetAction(async (parse, ct) =>
        {
            if (ExtraArguments.Refuse(parse) is { } usage)
            {
                return usage;
            }

            await using var services = await DataServices.OpenAsync(parse, ct);
            var keys = await services.Get<ISigningKeyService>().ListAsync(ct);
            if (keys.Count == 0)
            {
                Console.Error.WriteLine("No keys yet: 'mnemo serve' creates them when it first starts.");
            }

            Table.Write(["KEY ID", "USE", "CREATED", "ACTIVE FROM", "RETIRES AT", "STATE"],
                keys.OrderBy(k => k.Use, StringComparer.Ordinal).ThenBy(k => k.ActiveFrom).Select(k => new[]
                {
                    k.Id, k.Use, Time(k.CreatedAt), Time(k.ActiveFrom), Time(k.RetiresAt), State(k.State),
                }));
            return Cli.Success;
        });
        return command;
    }

    private static Command Rotate()
    {
        var now = new Option<bool>("--now")
        {
            Description = "Sign with the new keys at once instead of after the lead time (Mnemo:Auth:SigningKeyLeadTime). Other running instances accept tokens signed with them within a minute.",
        };
        var command = new Command("rotate",
            "Create new signing and encryption keys now and publish them. They sign new tokens after the lead time (default 1 day), or at once with --now. " +
            "The current keys keep validating the tokens they signed until those expire; nobody is signed out.")
        {
            now,
        };
        command.SetAction(async (parse, ct) =>
        {
            if (ExtraArguments.Refuse(parse) is { } usage)
            {
                return usage;
            }

            await using var services = await DataServices.OpenAsync(parse, ct);
            var created = await services.Get<ISigningKeyService>().RotateAsync(parse.GetValue(now), ct);
            if (created.Count == 0)
            {
                return Cli.Fail("no key was created: another process rotated at the same moment. Run 'mnemo signing-keys list' and try again if needed.");
            }

            foreach (var key in created)
            {
                Console.Out.WriteLine(key.Id);
                Console.Error.WriteLine($"Created {key.Use} key {key.Id}; it is published now and protects new tokens from {Time(key.ActiveFrom)} UTC.");
            }

            return Cli.Success;
        });
        return command;
    }

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm");

    private static string State(SigningKeyState state) => state switch
    {
        SigningKeyState.Next => "next",
        SigningKeyState.Active => "active",
        _ => "retiring",
    };
}
