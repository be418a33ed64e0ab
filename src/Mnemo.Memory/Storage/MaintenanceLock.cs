using Mnemo.Storage;
using Mnemo.Storage.Postgres;

namespace Mnemo.Memory.Storage;

/// <summary>
/// Lets one process at a time do background maintenance (the embedding back-fill) when several share a database:
/// on PostgreSQL an advisory lock, so three instances behind a load balancer compute missing vectors once, not three
/// times; on SQLite (one machine, usually one server process) always granted, as before.
/// </summary>
internal sealed class MaintenanceLock(MemoryStorage storage)
{
    // "mnemo" in ASCII, then the lock's number: advisory lock keys are shared by every application on the database.
    private const long BackfillKey = 0x6D6E656D6F_0001;

    /// <summary>The back-fill lock, or null when another process holds it (skip this round).</summary>
    public async Task<IAsyncDisposable?> TryBackfillAsync(CancellationToken ct) =>
        storage.Database.Provider == DatabaseProvider.Postgres
            ? await PostgresAdvisoryLock.TryAcquireAsync(storage.Database.ConnectionString, BackfillKey, ct)
            : Granted.Instance;

    private sealed class Granted : IAsyncDisposable
    {
        public static readonly Granted Instance = new();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
