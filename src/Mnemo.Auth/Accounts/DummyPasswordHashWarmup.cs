using Microsoft.Extensions.Hosting;

namespace Mnemo.Auth.Accounts;

/// <summary>
/// Makes the dummy hash in the background at start-up: made on the first unknown-name sign-in instead,
/// that one attempt would take twice as long and reveal that the name does not exist.
/// </summary>
internal sealed class DummyPasswordHashWarmup(DummyPasswordHash dummy) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = Task.Run(() => dummy.Value, CancellationToken.None);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
