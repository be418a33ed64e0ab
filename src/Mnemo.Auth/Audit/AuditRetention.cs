using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mnemo.Auth.Storage;

namespace Mnemo.Auth.Audit;

/// <summary>
/// Deletes audit events older than <see cref="MnemoAuditOptions.RetentionDays"/> (0: never), at start-up and then once
/// a day. Several instances may each do it; deleting what another already deleted costs nothing.
/// </summary>
internal sealed class AuditRetention(IServiceScopeFactory scopes, IOptions<MnemoAuthOptions> options, TimeProvider time, ILogger<AuditRetention> logger) : BackgroundService
{
    internal static readonly TimeSpan Interval = TimeSpan.FromDays(1);

    /// <summary>Deletes the events past the retention; returns how many.</summary>
    public async Task<int> PruneAsync(CancellationToken cancellationToken = default)
    {
        var days = options.Value.Audit.RetentionDays;
        if (days == 0)
        {
            return 0;
        }

        var cutoff = time.GetUtcNow() - TimeSpan.FromDays(days);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AuthDbContext>();
        var deleted = await db.AuditEvents.Where(e => e.OccurredAt < cutoff).ExecuteDeleteAsync(cancellationToken);
        if (deleted > 0)
        {
            AuthLog.AuditEventsPruned(logger, deleted, days);
        }

        return deleted;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            try
            {
                await PruneAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                AuthLog.AuditPruneFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
