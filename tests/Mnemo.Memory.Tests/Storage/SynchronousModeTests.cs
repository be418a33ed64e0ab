using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Mnemo.Memory.Memories;
using Mnemo.Memory.Storage;
using Mnemo.Storage;

namespace Mnemo.Memory.Tests.Storage;

/// <summary>
/// A read's access-log commit may skip the fsync (synchronous=NORMAL); a memory write never may. The setting belongs to
/// a connection, and connections are pooled, so every open must put FULL back. SQLite's own setting: on PostgreSQL
/// every commit is durable by the server's configuration, and Mnemo changes nothing there.
/// </summary>
[Trait("Provider", "Sqlite")]
public sealed class SynchronousModeTests : IAsyncLifetime
{
    private const int Full = 2;
    private const int Normal = 1;
    private MemoryTestDatabase _db = null!;

    public async Task InitializeAsync() => _db = await MemoryTestDatabase.CreateAsync(DatabaseProvider.Sqlite);

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task Connection_AfterAReadsAccessLogCommit_IsBackToFullAtOnce()
    {
        await using var provider = _db.OpenProvider();
        var factory = provider.GetRequiredService<IDbContextFactory<MemoryDbContext>>();
        await using var read = await factory.CreateDbContextAsync();
        read.AccessLog.Add(new MemoryAccessLogEntity { UserId = "alice", Action = "search", MemoryIds = "", At = 1 });
        await read.SaveAccessLogAsync(default);

        // Put back right after its own commit, so the pooled connection never reaches another module at NORMAL.
        Assert.Equal(Full, await SynchronousAsync(read));
    }

    [Fact]
    public async Task Connection_LeftAtNormal_IsBackToFullOnTheNextOpen()
    {
        await using var provider = _db.OpenProvider();
        var factory = provider.GetRequiredService<IDbContextFactory<MemoryDbContext>>();
        await using (var read = await factory.CreateDbContextAsync())
        {
            await read.Database.OpenConnectionAsync();
            await read.Database.ExecuteSqlRawAsync("PRAGMA synchronous = NORMAL;");
            Assert.Equal(Normal, await SynchronousAsync(read));
        }

        // Pooling hands the same SQLite connection to the next context (one pooled connection is idle).
        await using var write = await factory.CreateDbContextAsync();
        Assert.Equal(Full, await SynchronousAsync(write));
    }

    [Fact]
    public async Task MemoryWrite_AfterSearches_CommitsWithFull()
    {
        var alice = new MemoryCaller("alice", "claude");
        await _db.Service.AddAsync(alice, [new("alice sails on Sundays")]);
        for (var i = 0; i < 3; i++)
        {
            await _db.Service.SearchAsync(alice, new SearchRequest("sails"));
        }

        // The searches' rows commit (at NORMAL) in the writer's batch; its pooled connection must come back at FULL.
        await _db.FlushAccessLogAsync();
        await using var provider = _db.OpenProvider();
        await using var context = await provider.GetRequiredService<IDbContextFactory<MemoryDbContext>>().CreateDbContextAsync();
        Assert.Equal(Full, await SynchronousAsync(context));
        Assert.Equal(3, await context.AccessLog.CountAsync(a => a.Action == "search"));
    }

    private static async Task<long> SynchronousAsync(MemoryDbContext context)
    {
        await context.Database.OpenConnectionAsync();
        await using var command = context.Database.GetDbConnection().CreateCommand();
        command.CommandText = "PRAGMA synchronous;";
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
