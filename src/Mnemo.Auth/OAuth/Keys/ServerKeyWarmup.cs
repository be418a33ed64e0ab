using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OpenIddict.Server;

namespace Mnemo.Auth.OAuth.Keys;

/// <summary>
/// Loads (or creates) the data-protection key ring and the OAuth server keys at start-up rather than
/// on the first request: a second instance started later then finds them in the database instead of
/// racing the first one to create its own.
/// </summary>
internal sealed class ServerKeyWarmup(IDataProtectionProvider dataProtection, ServerKeyRing ring, IOptionsMonitor<OpenIddictServerOptions> server) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        dataProtection.CreateProtector("Mnemo.Auth.Warmup").Protect([1]);
        await ring.SyncAsync(maintain: true, cancellationToken);
        _ = server.CurrentValue.SigningCredentials.Count;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
