using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Mnemo.Memory.Memories;
using Mnemo.Memory.Storage;
using Mnemo.Storage;

namespace Mnemo.Memory.Tests.Storage;

/// <summary>What the memory module does only on PostgreSQL: locks between instances sharing a database, its schema.</summary>
[Trait("Provider", "Postgres")]
public sealed class PostgresStorageTests : IAsyncLifetime
{
    private static readonly MemoryCaller Alice = new("alice", "claude");
    private static readonly MemoryCaller Bob = new("bob", "claude");
    private MemoryTestDatabase _db = null!;

    public async Task InitializeAsync() => _db = await MemoryTestDatabase.CreateAsync(DatabaseProvider.Postgres);

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task BackfillLock_HeldByOneInstance_IsRefusedToAnother_UntilReleased()
    {
        await using var first = _db.OpenProvider();
        await using var second = _db.OpenProvider();
        var firstLock = first.GetRequiredService<MaintenanceLock>();
        var secondLock = second.GetRequiredService<MaintenanceLock>();

        var held = await firstLock.TryBackfillAsync(default);
        Assert.NotNull(held);
        Assert.Null(await secondLock.TryBackfillAsync(default));

        await held.DisposeAsync();
        var taken = await secondLock.TryBackfillAsync(default);

        Assert.NotNull(taken);
        await taken.DisposeAsync();
    }

    [Fact]
    public async Task Writes_OfAUserWhoseWriteIsInProgress_Wait_WhileOtherUsersWritesGoOn()
    {
        await using var holder = _db.OpenProvider();
        await using var db = await holder.GetRequiredService<IDbContextFactory<MemoryDbContext>>().CreateDbContextAsync();
        var transaction = await MemoryWriteTransaction.BeginAsync(db, Alice.UserId, default);
        await using var other = _db.OpenProvider();
        var service = other.GetRequiredService<IMemoryService>();

        var alices = service.AddAsync(Alice, [new("waits for the write in progress")]);
        await service.AddAsync(Bob, [new("goes on meanwhile")]).WaitAsync(TimeSpan.FromSeconds(30));
        await WaitForALockWaiterAsync();

        Assert.False(alices.IsCompleted);
        await transaction.CommitAsync();
        await transaction.DisposeAsync();
        Assert.Equal("added", (await alices.WaitAsync(TimeSpan.FromSeconds(30)))[0].Outcome);
    }

    [Fact]
    public async Task MigratedTables_CompareEveryStringColumnByteWise()
    {
        // Ids are paged with id > last and listed by (created_at, id): a locale's order would differ from SQLite's.
        await using var provider = _db.OpenProvider();
        await using var db = await provider.GetRequiredService<IDbContextFactory<MemoryDbContext>>().CreateDbContextAsync();
        var expected = db.Model.GetEntityTypes()
            .SelectMany(e => e.GetProperties().Where(p => p.ClrType == typeof(string)).Select(p => $"{e.GetTableName()}.{p.GetColumnName()}"))
            .Order(StringComparer.Ordinal)
            .ToList();
        var columns = (await _db.QueryAsync("""
            SELECT table_name || '.' || column_name, collation_name FROM information_schema.columns WHERE table_schema = 'public'
            """)).ToDictionary(r => (string)r[0]!, r => r[1] as string);

        Assert.Equal(20, expected.Count);
        Assert.All(expected, column => Assert.Equal((column, "C"), (column, columns[column])));
    }

    /// <summary>Until a session of this database waits for an advisory lock (the add, at the start of its transaction).</summary>
    private async Task WaitForALockWaiterAsync()
    {
        for (var i = 0; i < 300; i++)
        {
            var waiting = await _db.QueryAsync("""
                SELECT 1 FROM pg_locks l JOIN pg_database d ON d.oid = l.database
                WHERE l.locktype = 'advisory' AND NOT l.granted AND d.datname = current_database()
                """);
            if (waiting.Count > 0)
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail("No write ever waited for the lock.");
    }
}
