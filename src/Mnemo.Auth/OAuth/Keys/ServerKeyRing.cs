using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;
using Microsoft.IdentityModel.Tokens;

namespace Mnemo.Auth.OAuth.Keys;

/// <summary>
/// This process's copy of the server keys, read from the database (<see cref="ServerKeyStore"/>) at start-up and every
/// minute after (<see cref="ServerKeyMaintenance"/>). OpenIddict reads its options per request through
/// <c>IOptionsMonitor</c> but never re-reads them by itself; when the set of keys changes (a rotation by this process,
/// another instance or the CLI; a retirement), the ring fires change tokens that make the monitor rebuild the server
/// options first and the validation options after (the validation options copy the server's keys, so the order
/// matters). Which key signs is decided per token by the clock (<see cref="ActiveKeyId"/>), so a key that was published
/// a day earlier starts signing at its activation time on every instance at once, without waiting for a reload.
/// </summary>
internal sealed class ServerKeyRing(IServiceScopeFactory scopes, ILogger<ServerKeyRing> logger)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile Snapshot? _current;
    private CancellationTokenSource _serverChanged = new();
    private CancellationTokenSource _validationChanged = new();

    /// <summary>A key with its material, ready for OpenIddict.</summary>
    internal sealed record LoadedKey(ServerKeyDates Dates, RsaSecurityKey Key);

    private sealed record Snapshot(IReadOnlyList<LoadedKey> Keys, string Fingerprint);

    /// <summary>The keys this process publishes and validates with (loading them first if nothing has yet).</summary>
    public IReadOnlyList<LoadedKey> Keys => (_current ?? LoadNow()).Keys;

    /// <summary>Fires when the keys changed, before <see cref="ValidationOptionsChanged"/>.</summary>
    public IChangeToken ServerOptionsChanged => new CancellationChangeToken(Volatile.Read(ref _serverChanged).Token);

    /// <summary>Fires when the keys changed, after the server options were rebuilt.</summary>
    public IChangeToken ValidationOptionsChanged => new CancellationChangeToken(Volatile.Read(ref _validationChanged).Token);

    /// <summary>The id of the key of <paramref name="use"/> that protects tokens issued at <paramref name="now"/>.</summary>
    public string? ActiveKeyId(string use, DateTimeOffset now)
    {
        var ordered = ServerKeySchedule.Ordered(Keys, use, k => k.Dates);
        return ordered.Count == 0 ? null : ordered[ServerKeySchedule.ActiveIndex([.. ordered.Select(k => k.Dates)], now)].Dates.Id;
    }

    /// <summary>
    /// Applies the rotation schedule (when <paramref name="maintain"/>) and reloads the keys; fires the change tokens
    /// when the set of keys differs from the one loaded before. Returns whether it did.
    /// </summary>
    public async Task<bool> SyncAsync(bool maintain, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        Snapshot? previous;
        Snapshot next;
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var store = scope.ServiceProvider.GetRequiredService<ServerKeyStore>();
            if (maintain || _current is null)
            {
                await store.MaintainAsync(cancellationToken);
            }

            var records = await store.LoadAsync(cancellationToken);
            var fingerprint = string.Join(';', records.OrderBy(r => r.Id, StringComparer.Ordinal).Select(r => $"{r.Id}@{r.ActiveFrom.UtcTicks}"));
            previous = _current;
            if (previous?.Fingerprint == fingerprint)
            {
                return false;
            }

            // Key material already loaded is reused: unprotecting and importing RSA keys is the slow part.
            var known = previous?.Keys.ToDictionary(k => k.Dates.Id, StringComparer.Ordinal) ?? [];
            next = new Snapshot(
                [.. records.Select(r => known.TryGetValue(r.Id, out var loaded) && loaded.Dates.ActiveFrom == r.ActiveFrom
                    ? loaded
                    : new LoadedKey(new ServerKeyDates(r.Id, r.Use, r.CreatedAt, r.ActiveFrom), new RsaSecurityKey(store.Unprotect(r)) { KeyId = r.Id }))],
                fingerprint);
            _current = next;
        }
        finally
        {
            _gate.Release();
        }

        if (previous is not null)
        {
            AuthLog.ServerKeysReloaded(logger, string.Join(", ", next.Keys.Select(k => k.Dates.Id)));
            Fire(ref _serverChanged);
            Fire(ref _validationChanged);
        }

        return true;
    }

    /// <summary>
    /// The first load when OpenIddict asks for its options before the start-up warm-up ran (it is synchronous there).
    /// Blocking is acceptable once per process; afterwards the keys come from memory.
    /// </summary>
    private Snapshot LoadNow()
    {
        Task.Run(() => SyncAsync(maintain: true)).GetAwaiter().GetResult();
        return _current ?? throw new InvalidOperationException("The OAuth server keys could not be loaded.");
    }

    private void Fire(ref CancellationTokenSource source)
    {
        var fired = Interlocked.Exchange(ref source, new CancellationTokenSource());
        try
        {
            // Listeners (the options monitors) rebuild the options synchronously inside Cancel.
            fired.Cancel();
        }
        catch (AggregateException e)
        {
            AuthLog.ServerKeysReloadFailed(logger, e);
        }
    }
}
