using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Mnemo.Memory.Memories;
using Mnemo.Memory.Search;
using Mnemo.Memory.Storage;
using Mnemo.Storage;

namespace Mnemo.Memory.Tests.Storage;

/// <summary>
/// The change feed on PostgreSQL, where a sequence number is handed out when a row is inserted, not when it commits: a
/// writer holding a lower number can commit after a higher one has been read. The feed must still hand every change to
/// every reader (see PostgresChangeFeed); these tests make that happen on purpose.
/// </summary>
[Trait("Provider", "Postgres")]
public sealed class PostgresChangeFeedTests : IAsyncLifetime
{
    private static readonly MemoryCaller Alice = new("alice", "claude");
    private static readonly MemoryCaller Bob = new("bob", "claude");
    private MemoryTestDatabase _db = null!;

    public async Task InitializeAsync() => _db = await MemoryTestDatabase.CreateAsync(DatabaseProvider.Postgres);

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task Feed_WithWritersCommittingOutOfSequenceOrder_MissesNothing()
    {
        await using var provider = _db.OpenProvider();
        var factory = provider.GetRequiredService<IDbContextFactory<MemoryDbContext>>();
        await using var reader = await factory.CreateDbContextAsync();
        var position = await ChangeFeed.PositionAsync(reader, Alice.UserId, default);

        // T1 takes the lower sequence number and stays open; T2 takes the next one and commits.
        await using var first = await factory.CreateDbContextAsync();
        await using var firstTransaction = await first.Database.BeginTransactionAsync();
        var early = new MemoryChangeEntity { UserId = Alice.UserId, MemoryId = "early" };
        first.Changes.Add(early);
        await first.SaveChangesAsync();
        var late = new MemoryChangeEntity { UserId = Alice.UserId, MemoryId = "late" };
        await using (var second = await factory.CreateDbContextAsync())
        {
            second.Changes.Add(late);
            await second.SaveChangesAsync();
        }

        var read = await ChangeFeed.ReadAsync(reader, Alice.UserId, position, default);

        Assert.Equal(["late"], read.Changes.Select(c => c.MemoryId));
        // A reader that moved on to the last sequence number it read (SQLite's rule, "seq > last") would never see T1's.
        Assert.True(early.Seq < late.Seq, $"T1 took {early.Seq}, T2 {late.Seq}");

        await firstTransaction.CommitAsync();
        var next = await ChangeFeed.ReadAsync(reader, Alice.UserId, read.Position, default);

        Assert.Contains(next.Changes, c => c.MemoryId == "early" && c.Seq == early.Seq);
    }

    [Fact]
    public async Task SearchIndex_WithAMemoryCommittedAfterALaterOne_FindsItWithoutReloading()
    {
        await using var readerProvider = _db.OpenProvider();
        var reader = readerProvider.GetRequiredService<IMemoryService>();
        await _db.Service.AddAsync(Alice, [new("first note about sailing")]);
        Assert.Single(await reader.SearchAsync(Alice, new SearchRequest("sailing")));

        // A writer inserts a memory and its feed row and stays open (as an add in progress does), holding the lower seq.
        await using var writerProvider = _db.OpenProvider();
        await using var slow = await writerProvider.GetRequiredService<IDbContextFactory<MemoryDbContext>>().CreateDbContextAsync();
        await using var slowTransaction = await slow.Database.BeginTransactionAsync();
        var slowId = Guid.CreateVersion7().ToString();
        slow.Memories.Add(new MemoryEntity
        {
            Id = slowId, UserId = Alice.UserId, Text = "slow note about kayaks", BatchId = Guid.CreateVersion7().ToString(),
            CreatedAt = _db.Time.Now.UtcTicks, UpdatedAt = _db.Time.Now.UtcTicks, OccurredAt = _db.Time.Now.UtcTicks,
        });
        slow.Changes.Add(new MemoryChangeEntity { UserId = Alice.UserId, MemoryId = slowId });
        await slow.SaveChangesAsync();
        var fast = await _db.Service.AddAsync(Alice, [new("fast note about canoes")]);

        Assert.Equal(fast[0].Id, Assert.Single(await reader.SearchAsync(Alice, new SearchRequest("canoes"))).Memory.Id);
        Assert.Empty(await reader.SearchAsync(Alice, new SearchRequest("kayaks")));

        await slowTransaction.CommitAsync();

        Assert.Equal(slowId, Assert.Single(await reader.SearchAsync(Alice, new SearchRequest("kayaks"))).Memory.Id);
        // Found by following the feed: the index was loaded once, at the first search.
        Assert.Equal(1, readerProvider.GetRequiredService<SearchIndex>().Inspect(Alice.UserId)!.Value.Loads);
    }

    [Fact]
    public async Task SearchIndex_WithManyWritersInParallel_EndsWithEveryMemory_WithoutReloading()
    {
        const int writers = 6;
        const int addsPerWriter = 40;
        await using var readerProvider = _db.OpenProvider();
        var reader = readerProvider.GetRequiredService<IMemoryService>();
        var index = readerProvider.GetRequiredService<SearchIndex>();
        MemoryCaller[] users = [Alice, Bob];
        foreach (var user in users)
        {
            await _db.Service.AddAsync(user, [new("a note to start with")]);
            Assert.Single(await reader.SearchAsync(user, new SearchRequest("note")));
        }

        // Each writer is a process of its own (provider, pool, indexes); half write Alice's memories, half Bob's.
        var processes = Enumerable.Range(0, writers).Select(_ => _db.OpenProvider().GetRequiredService<IMemoryService>()).ToList();
        var writing = Task.WhenAll(processes.Select((process, w) => Task.Run(async () =>
        {
            for (var i = 0; i < addsPerWriter; i++)
            {
                await process.AddAsync(users[w % 2], [new($"note {Token(w, i)} from writer {w}")]);
            }
        })));
        var catchUps = 0;
        while (!writing.IsCompleted)
        {
            foreach (var user in users)
            {
                await reader.SearchAsync(user, new SearchRequest("note"));
                catchUps++;
            }
        }

        await writing;
        for (var w = 0; w < writers; w++)
        {
            for (var i = 0; i < addsPerWriter; i++)
            {
                var hit = Assert.Single(await reader.SearchAsync(users[w % 2], new SearchRequest(Token(w, i))));
                Assert.Equal($"note {Token(w, i)} from writer {w}", hit.Memory.Text);
            }
        }

        Assert.True(catchUps > users.Length, "the reader never caught up while the writers wrote");
        foreach (var user in users)
        {
            var (loads, ids) = index.Inspect(user.UserId)!.Value;
            Assert.Equal(1, loads);
            var table = await _db.QueryAsync($"SELECT id FROM memories WHERE user_id = '{user.UserId}'");
            Assert.Equal(1 + writers / 2 * addsPerWriter, table.Count);
            Assert.Equal(table.Select(r => (string)r[0]!).Order(StringComparer.Ordinal), ids.Order(StringComparer.Ordinal));
        }
    }

    /// <summary>A word of its own for each memory (letters and digits are one token).</summary>
    private static string Token(int writer, int add) => $"w{writer}n{add}k";
}
