using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Mnemo.Memory.Memories;
using Mnemo.Memory.Storage;

namespace Mnemo.Memory.Tests;

public sealed class MemoryAdministrationTests : IAsyncLifetime
{
    private MemoryTestDatabase _db = null!;

    public async Task InitializeAsync() => _db = await MemoryTestDatabase.CreateAsync();

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task PurgeUser_ErasesEveryRowOfThatUser_AndNoOtherUsers()
    {
        var alice = new MemoryCaller("alice", "claude");
        var bob = new MemoryCaller("bob", "claude");
        var ids = await _db.Service.AddAsync(alice, [new("alice owns a boat", ["sea"]), new("alice sails")]);
        await _db.Service.UpdateAsync(alice, ids[0].Id, "alice owns two boats", null);
        await _db.Service.DeleteAsync(alice, [ids[1].Id]);
        await _db.Service.AddAsync(bob, [new("bob owns a boat", ["sea"])]);

        await using var provider = _db.OpenProvider();
        var erased = await provider.GetRequiredService<IMemoryAdministration>().PurgeUserAsync("alice");

        Assert.Equal(2, erased);
        Assert.Empty(await _db.QueryAsync("SELECT 1 FROM memories WHERE user_id = 'alice'"));
        Assert.Empty(await _db.QueryAsync("SELECT 1 FROM memory_access_log WHERE user_id = 'alice'"));
        Assert.Empty(await _db.QueryAsync("SELECT 1 FROM memory_history"));
        Assert.Single(await _db.QueryAsync("SELECT 1 FROM memory_tags"));
        Assert.Single(await _db.Service.SearchAsync(bob, new SearchRequest("boat")));
    }

    [Fact]
    public async Task PurgeUser_WritesTheQueuedRowsOfReadsFirst_SoNoneOfThatUserIsWrittenAfterIt()
    {
        // An interval longer than the test: whatever is still queued at the purge stays queued unless the purge flushes.
        await using var db = await MemoryTestDatabase.CreateAsync(configure: o => o.AccessLog.FlushMilliseconds = 5000);
        await using var provider = db.OpenProvider();
        var service = provider.GetRequiredService<IMemoryService>();
        var alice = new MemoryCaller("alice", "claude");
        var bob = new MemoryCaller("bob", "claude");
        await service.AddAsync(alice, [new("alice owns a boat")]);
        await service.AddAsync(bob, [new("bob owns a boat")]);
        for (var i = 0; i < 3; i++)
        {
            await service.ListAsync(alice, new ListRequest());
            await service.SearchAsync(bob, new SearchRequest("boat"));
        }

        var writer = provider.GetRequiredService<AccessLogWriter>();
        Assert.True(writer.Written < 6, "some reads are still queued");
        await provider.GetRequiredService<IMemoryAdministration>().PurgeUserAsync("alice");
        await writer.FlushAsync(CancellationToken.None);

        Assert.Empty(await db.QueryAsync("SELECT 1 FROM memory_access_log WHERE user_id = 'alice'"));
        Assert.Equal(3, (await db.QueryAsync("SELECT 1 FROM memory_access_log WHERE user_id = 'bob' AND action = 'search'")).Count);
    }

    [Fact]
    public async Task DbContext_IsResolvableFromAScope_ForHealthChecks()
    {
        await using var provider = _db.OpenProvider();
        await using var scope = provider.CreateAsyncScope();

        Assert.True(await scope.ServiceProvider.GetRequiredService<MemoryDbContext>().Database.CanConnectAsync());
    }
}
