using System.CommandLine;
using Mnemo.Auth.OAuth.Clients;

namespace Mnemo.Server.Cli;

/// <summary>
/// <c>mnemo clients add|list|delete</c>: pre-registered OAuth clients, for connectors that take a client
/// id (Claude's custom client mode, ChatGPT) and for the conformance suite's authorization mode.
/// </summary>
internal static class ClientsCommand
{
    public static Command Create()
    {
        var clients = new Command("clients", "Manage OAuth clients.");
        clients.Subcommands.Add(Add());
        clients.Subcommands.Add(List());
        clients.Subcommands.Add(Delete());
        return clients;
    }

    private static Command Add()
    {
        var name = new Option<string>("--name") { Description = "Name shown on the consent page.", Required = true, HelpName = "N" };
        var redirectUris = new Option<string[]>("--redirect-uri")
        {
            Description = "Exact redirect URI (repeat for several): https, http on loopback, or an app scheme.",
            Required = true,
            AllowMultipleArgumentsPerToken = false,
            HelpName = "U",
        };
        var confidential = new Option<bool>("--confidential") { Description = "Issue a client secret (client_secret_post/basic); shown only once." };
        var command = new Command("add", "Register a client. Stdout: the client id on the first line, and for --confidential the secret on the second.")
        {
            name, redirectUris, confidential,
        };
        command.SetAction(async (parse, ct) =>
        {
            await using var services = await DataServices.OpenAsync(parse, ct);
            try
            {
                var registered = await services.Get<IOAuthClientRegistry>().RegisterAsync(
                    parse.GetValue(name)!, parse.GetValue(redirectUris) ?? [], parse.GetValue(confidential), OAuthClientOrigin.Cli, ct);
                Console.Out.WriteLine(registered.Info.ClientId);
                if (registered.ClientSecret is not null)
                {
                    Console.Out.WriteLine(registered.ClientSecret);
                    Console.Error.WriteLine("Store the client secret now: it is kept only as a hash and never shown again.");
                }

                Console.Error.WriteLine($"Registered client '{registered.Info.Name}'.");
                return Cli.Success;
            }
            catch (OAuthClientException e)
            {
                return Cli.Fail(e.Message);
            }
        });
        return command;
    }

    private static Command List()
    {
        var command = new Command("list", "List OAuth clients (never their secrets).");
        command.SetAction(async (parse, ct) =>
        {
            await using var services = await DataServices.OpenAsync(parse, ct);
            var clients = await services.Get<IOAuthClientRegistry>().ListAsync(ct);
            Table.Write(["CLIENT ID", "NAME", "TYPE", "ORIGIN", "CREATED", "REDIRECT URIS"],
                clients.Select(c => new[]
                {
                    c.ClientId, c.Name, c.Confidential ? "confidential" : "public", c.Origin switch
                    {
                        OAuthClientOrigin.Cli => "cli",
                        OAuthClientOrigin.Dynamic => "dcr",
                        _ => "metadata-document",
                    },
                    c.CreatedAt?.UtcDateTime.ToString("yyyy-MM-dd HH:mm") ?? "", string.Join(' ', c.RedirectUris),
                }));
            return Cli.Success;
        });
        return command;
    }

    private static Command Delete()
    {
        var clientId = new Argument<string>("CLIENT_ID") { Description = "The client id shown by 'mnemo clients list'." };
        var command = new Command("delete", "Delete a client and revoke every grant and token it holds; its next request gets 401.") { clientId };
        command.SetAction(async (parse, ct) =>
        {
            await using var services = await DataServices.OpenAsync(parse, ct);
            var id = parse.GetValue(clientId)!;
            if (!await services.Get<IOAuthClientRegistry>().DeleteAsync(id, ct))
            {
                return Cli.Fail($"No OAuth client with id '{id}'. 'mnemo clients list' shows the ids.");
            }

            Console.Error.WriteLine($"Deleted client {id} and revoked its grants.");
            return Cli.Success;
        });
        return command;
    }
}
