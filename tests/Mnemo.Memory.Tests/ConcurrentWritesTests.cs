using Microsoft.Extensions.DependencyInjection;
using Mnemo.Memory.Memories;

namespace Mnemo.Memory.Tests;

/// <summary>
/// Several processes (service providers) writing one user's memories at the same moment. Writes read before they
/// write (the near-duplicate check, the old text for history), so one user's writes must run one at a time on every
/// engine: SQLite has a single writer anyway, PostgreSQL runs writers side by side unless Mnemo serialises them.
/// </summary>
public sealed class ConcurrentWritesTests : IAsyncLifetime
{
    private const int Processes = 6;
    private static readonly MemoryCaller Alice = new("alice", "claude");
    private MemoryTestDatabase _db = null!;
    private List<IMemoryService> _processes = null!;

    public async Task InitializeAsync()
    {
        _db = await MemoryTestDatabase.CreateAsync();
        _processes = [.. Enumerable.Range(0, Processes).Select(_ => _db.OpenProvider().GetRequiredService<IMemoryService>())];
        // Each loads Alice's (empty) index first, so the writes below race on the database, not on loading.
        foreach (var process in _processes)
        {
            await process.ListAsync(Alice, new ListRequest());
            await process.SearchAsync(Alice, new SearchRequest("tea"));
        }
    }

    public async Task DisposeAsync() => await _db.DisposeAsync();

    /// <summary>Runs <paramref name="write"/> in every process at once (all waiting on one signal first).</summary>
    private async Task<T[]> AllAtOnceAsync<T>(Func<IMemoryService, int, Task<T>> write)
    {
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var writes = _processes.Select((process, i) => Task.Run(async () =>
        {
            await start.Task;
            return await write(process, i);
        })).ToList();
        start.SetResult();
        return await Task.WhenAll(writes);
    }

    [Fact]
    public async Task Add_OfOneTextInSeveralProcessesAtOnce_KeepsOneMemory_AndRefreshesIt()
    {
        for (var round = 0; round < 3; round++)
        {
            var text = $"round {round}: I like green tea";

            var outcomes = await AllAtOnceAsync(async (process, i) => (await process.AddAsync(Alice, [new(text, ["drinks", $"p{i}"])]))[0]);

            // The first to commit adds it; every later one finds it and refreshes it, as one at a time would.
            Assert.Single(outcomes, o => o.Outcome == "added");
            Assert.Single(outcomes.Select(o => o.Id).Distinct());
            var memory = await _db.Service.GetAsync(Alice, outcomes[0].Id);
            Assert.Equal(["drinks", .. Enumerable.Range(0, Processes).Select(i => $"p{i}")], memory!.Tags);
        }

        Assert.Equal(3, await _db.CountAsync(Alice.UserId));
    }

    [Fact]
    public async Task Update_OfOneMemoryInSeveralProcessesAtOnce_KeepsAnUnbrokenHistory()
    {
        var id = (await _db.Service.AddAsync(Alice, [new("counter 0")]))[0].Id;

        await AllAtOnceAsync((process, i) => process.UpdateAsync(Alice, id, $"counter {i + 1}", null));

        // Each edit starts from the text the one before it left: no edit was made against a text already replaced.
        var history = await _db.QueryAsync($"SELECT old_text, new_text FROM memory_history WHERE memory_id = '{id}' ORDER BY id");
        Assert.Equal(Processes, history.Count);
        Assert.Equal("counter 0", history[0][0]);
        for (var i = 1; i < history.Count; i++)
        {
            Assert.Equal(history[i - 1][1], history[i][0]);
        }

        Assert.Equal(history[^1][1], (await _db.Service.GetAsync(Alice, id))!.Text);
    }
}
