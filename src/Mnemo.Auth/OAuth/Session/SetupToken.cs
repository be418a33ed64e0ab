using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Mnemo.Auth.Accounts;

namespace Mnemo.Auth.OAuth.Session;

/// <summary>
/// The one-time first-run token: with no account yet, whoever holds it may create the first one at
/// <c>/setup?token=…</c>. It lives only in this process's memory and is printed once to stdout (never
/// to a log provider, which may ship logs elsewhere); it dies when the first account exists.
/// </summary>
internal sealed class SetupToken
{
    private readonly Lock _gate = new();
    private byte[]? _hash;

    public string Issue()
    {
        var token = WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
        lock (_gate)
        {
            _hash = SHA256.HashData(Encoding.UTF8.GetBytes(token));
        }

        return token;
    }

    public bool IsActive
    {
        get
        {
            lock (_gate)
            {
                return _hash is not null;
            }
        }
    }

    /// <summary>Constant-time check of a presented token.</summary>
    public bool Matches(string? presented)
    {
        if (string.IsNullOrEmpty(presented) || presented.Length > 100)
        {
            return false;
        }

        var candidate = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        lock (_gate)
        {
            return _hash is not null && CryptographicOperations.FixedTimeEquals(_hash, candidate);
        }
    }

    public void Revoke()
    {
        lock (_gate)
        {
            _hash = null;
        }
    }
}

/// <summary>Prints the setup URL once, after the server has started, when no account exists.</summary>
internal sealed class SetupAnnouncer(
    IServiceScopeFactory scopes,
    SetupToken token,
    IHostApplicationLifetime lifetime,
    IServer server,
    IOptions<MnemoAuthOptions> options) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() => _ = AnnounceAsync());
        return Task.CompletedTask;
    }

    private async Task AnnounceAsync()
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            if (await scope.ServiceProvider.GetRequiredService<IAccountService>().CountAsync() > 0)
            {
                return;
            }

            var origin = options.Value.PublicOrigin ?? LocalOrigin();
            var value = token.Issue();
            // Stdout on purpose, not ILogger: log providers may forward to shared systems.
            Console.Out.WriteLine($"No account exists yet. Create the first one (this link works once): {origin}/setup?token={value}");
            Console.Out.WriteLine("Or run: mnemo users add NAME");
        }
        catch (Exception e) when (e is InvalidOperationException or System.Data.Common.DbException)
        {
            // No database yet (tests that never migrate): nothing to announce.
        }
    }

    private string LocalOrigin()
    {
        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "http://localhost:5080";
        return address.Replace("://0.0.0.0", "://localhost", StringComparison.Ordinal)
            .Replace("://[::]", "://localhost", StringComparison.Ordinal)
            .Replace("://+", "://localhost", StringComparison.Ordinal)
            .Replace("://*", "://localhost", StringComparison.Ordinal)
            .TrimEnd('/');
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
