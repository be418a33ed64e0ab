using Microsoft.Extensions.Hosting;

namespace Mnemo.Memory.Storage;

/// <summary>
/// Under a host, writes the queued access-log rows of reads when the host stops, so a graceful shutdown loses none.
/// <para>
/// The flush runs in <see cref="StoppedAsync"/>, not <see cref="StopAsync"/>: the host calls every hosted service's
/// <c>StopAsync</c> first (in reverse registration order, so another service's could still run after ours), then every
/// lifecycle service's <c>StoppedAsync</c>. ASP.NET Core's web host is a hosted service whose <c>StopAsync</c> stops the
/// server, which drains the requests in flight; their rows are queued by then and written here. (Order read in
/// <c>Microsoft.Extensions.Hosting.Internal.Host.StopAsync</c>, dotnet/runtime: StoppingAsync, ApplicationStopping,
/// StopAsync, StoppedAsync, ApplicationStopped; the same since lifecycle services came in .NET 8.)
/// </para>
/// Without a host (CLI, tests), disposing the service provider disposes <see cref="AccessLogWriter"/>, which flushes too.
/// </summary>
internal sealed class AccessLogFlushService(AccessLogWriter writer) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StoppedAsync(CancellationToken cancellationToken)
    {
        try
        {
            await writer.FlushAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The host's shutdown timeout is up. Not an error of the stop: disposing the host's services, which comes
            // next, keeps writing the rows (AccessLogWriter.DisposeAsync) before the process ends.
        }
    }
}
