using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Mnemo.Auth.OAuth.Keys;

/// <summary>
/// Once a minute: applies the rotation schedule and picks up keys another instance or the CLI created or retired.
/// A minute is far shorter than the lead time a new key waits before it signs (a day by default), so every instance
/// knows a key before any token signed with it arrives; reading a table of a few rows costs nothing noticeable.
/// </summary>
internal sealed class ServerKeyMaintenance(ServerKeyRing ring, TimeProvider time, ILogger<ServerKeyMaintenance> logger) : BackgroundService
{
    internal static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await ring.SyncAsync(maintain: true, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The keys loaded before keep working; the next tick tries again.
                AuthLog.ServerKeysReloadFailed(logger, e);
            }
        }
    }
}
