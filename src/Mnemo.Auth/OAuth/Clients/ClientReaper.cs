using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Mnemo.Auth.OAuth.Clients;

/// <summary>
/// Removes dynamically registered clients nobody uses, so open registration cannot fill the database: a client never
/// used (no grant ever) goes 24 hours after it registered; a used one only once it has been idle for the refresh-token
/// lifetime; and never one that still holds a live grant (a valid, unexpired token), whatever its age. Clients
/// registered by the owner (CLI) and client ID metadata documents are not touched.
/// </summary>
internal sealed class ClientReaper(
    IOAuthClientRegistry registry,
    IOpenIddictApplicationManager applications,
    IOpenIddictAuthorizationManager authorizations,
    IOpenIddictTokenManager tokens,
    IOptions<MnemoAuthOptions> options,
    Storage.AuthDbContext db,
    TimeProvider time,
    ILogger<ClientReaper> logger)
{
    public static readonly TimeSpan NeverUsedLifetime = TimeSpan.FromHours(24);

    // Clients surveyed per query: bounds memory when open registration has filled the table.
    internal const int PageSize = 200;

    /// <summary>Deletes what may go; returns the client ids removed.</summary>
    public async Task<IReadOnlyList<string>> ReapAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var idleLimit = options.Value.RefreshTokenLifetime;
        var registryImpl = (OAuthClientRegistry)registry;
        List<string> doomed = [];
        for (var offset = 0; ; offset += PageSize)
        {
            // A page is read to the end before each client's tokens are: PostgreSQL runs one command at a time on a
            // connection, so the client list may not stay open while those queries run.
            List<object> page = [];
            await foreach (var application in applications.ListAsync(PageSize, offset, cancellationToken))
            {
                page.Add(application);
            }

            foreach (var application in page)
            {
                var info = await registryImpl.ToInfoAsync(application, cancellationToken);
                if (info.Origin != OAuthClientOrigin.Dynamic || info.CreatedAt is not { } created)
                {
                    continue;
                }

                var id = await applications.GetIdAsync(application, cancellationToken);
                var (used, live, lastActivity) = await ActivityAsync(id!, now, cancellationToken);
                var reap = live ? false : used ? now - (lastActivity ?? created) >= idleLimit : now - created >= NeverUsedLifetime;
                if (reap)
                {
                    doomed.Add(info.ClientId);
                }
            }

            if (page.Count < PageSize)
            {
                break;
            }
        }

        foreach (var clientId in doomed)
        {
            // The survey above tracked the client's tokens; deleting revokes them in bulk first, which would leave
            // those tracked copies stale (a concurrency failure on delete). Each deletion starts from a clean slate.
            db.ChangeTracker.Clear();
            await registry.DeleteAsync(clientId, cancellationToken);
        }

        if (doomed.Count > 0)
        {
            AuthLog.ClientsReaped(logger, doomed.Count);
        }

        return doomed;
    }

    private async Task<(bool Used, bool Live, DateTimeOffset? LastActivity)> ActivityAsync(string applicationId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var used = false;
        var live = false;
        DateTimeOffset? last = null;
        await foreach (var token in tokens.FindByApplicationIdAsync(applicationId, cancellationToken))
        {
            used = true;
            last = Later(last, await tokens.GetCreationDateAsync(token, cancellationToken));
            live |= await tokens.HasStatusAsync(token, Statuses.Valid, cancellationToken)
                && await tokens.GetExpirationDateAsync(token, cancellationToken) is { } expires && expires > now;
        }

        await foreach (var authorization in authorizations.FindByApplicationIdAsync(applicationId, cancellationToken))
        {
            used = true;
            last = Later(last, await authorizations.GetCreationDateAsync(authorization, cancellationToken));
        }

        return (used, live, last);
    }

    private static DateTimeOffset? Later(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a > b ? a : b;
}

/// <summary>Runs <see cref="ClientReaper"/> every hour (and once shortly after start-up).</summary>
internal sealed class ClientReaperService(IServiceScopeFactory scopes, TimeProvider time, ILogger<ClientReaperService> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(TimeSpan.FromMinutes(1), time, stoppingToken);
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await using var scope = scopes.CreateAsyncScope();
                    await scope.ServiceProvider.GetRequiredService<ClientReaper>().ReapAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // A failed sweep (database busy, disk full) must not stop the server; the next hour tries again.
                    AuthLog.ClientReapFailed(logger, e);
                }

                await Task.Delay(Interval, time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
