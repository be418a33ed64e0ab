using System.CommandLine;
using Mnemo.Auth.ApiKeys;

namespace Mnemo.Server.Cli;

/// <summary><c>mnemo keys create|list|revoke</c>: API keys for MCP clients that take a bearer header.</summary>
internal static class KeysCommand
{
    public static Command Create()
    {
        var keys = new Command("keys", "Manage API keys.");
        keys.Subcommands.Add(CreateKey());
        keys.Subcommands.Add(List());
        keys.Subcommands.Add(Revoke());
        return keys;
    }

    private static Command CreateKey()
    {
        var user = new Argument<string>("USER") { Description = "User name the key acts as." };
        var label = new Option<string?>("--label") { Description = "What the key is for; names the client app in memories when MCP gives none.", HelpName = "L" };
        var command = new Command("create", "Create an API key. Only the key is written to stdout; it is stored as a hash and never shown again.") { user, label };
        command.SetAction(async (parse, ct) =>
        {
            await using var services = await DataServices.OpenAsync(parse, ct);
            var created = await services.Get<IApiKeyService>().CreateAsync(parse.GetValue(user)!, parse.GetValue(label), ct);
            Console.Error.WriteLine($"Created key {created.Info.Id}. Store it now: it is not shown again.");
            Console.Out.WriteLine(created.Secret);
            return Cli.Success;
        });
        return command;
    }

    private static Command List()
    {
        var user = new Argument<string>("USER") { Description = "User name." };
        var command = new Command("list", "List a user's API keys (never the keys themselves).") { user };
        command.SetAction(async (parse, ct) =>
        {
            await using var services = await DataServices.OpenAsync(parse, ct);
            var keys = await services.Get<IApiKeyService>().ListAsync(parse.GetValue(user)!, ct);
            Table.Write(["KEY ID", "LABEL", "CREATED", "LAST USED", "STATUS"],
                keys.Select(k => new[]
                {
                    k.Id, k.Label ?? "", k.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm"),
                    k.LastUsedAt?.UtcDateTime.ToString("yyyy-MM-dd HH:mm") ?? "never",
                    k.RevokedAt is null ? "active" : $"revoked {k.RevokedAt.Value.UtcDateTime:yyyy-MM-dd}",
                }));
            return Cli.Success;
        });
        return command;
    }

    private static Command Revoke()
    {
        var keyId = new Argument<string>("KEY_ID") { Description = "The key id shown by 'mnemo keys list'." };
        var command = new Command("revoke", "Revoke an API key; the next request with it gets 401.") { keyId };
        command.SetAction(async (parse, ct) =>
        {
            await using var services = await DataServices.OpenAsync(parse, ct);
            var id = parse.GetValue(keyId)!;
            if (!await services.Get<IApiKeyService>().RevokeAsync(id, ct))
            {
                return Cli.Fail($"No API key with id '{id}'. 'mnemo keys list USER' shows the ids.");
            }

            Console.Error.WriteLine($"Revoked key {id}.");
            return Cli.Success;
        });
        return command;
    }
}
