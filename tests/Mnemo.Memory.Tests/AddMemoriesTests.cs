using Mnemo.Memory.Memories;

namespace Mnemo.Memory.Tests;

public sealed class AddMemoriesTests : IAsyncLifetime
{
    private static readonly MemoryCaller Alice = new("alice", "claude");
    private MemoryTestDatabase _db = null!;

    public async Task InitializeAsync() => _db = await MemoryTestDatabase.CreateAsync();

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task Add_ReturnsOneAddedIdPerInput_InInputOrder()
    {
        var outcomes = await _db.Service.AddAsync(Alice, [new("First fact"), new("Second fact"), new("Third fact")]);

        Assert.Equal(3, outcomes.Count);
        Assert.All(outcomes, o => Assert.Equal("added", o.Outcome));
        Assert.Equal(3, outcomes.Select(o => o.Id).Distinct().Count());
        Assert.Equal("First fact", (await _db.Service.GetAsync(Alice, outcomes[0].Id))!.Text);
        Assert.Equal("Third fact", (await _db.Service.GetAsync(Alice, outcomes[2].Id))!.Text);
    }

    [Fact]
    public async Task Add_StoresTrimmedText_AppAndTimes()
    {
        var occurred = new DateTimeOffset(2023, 5, 8, 13, 56, 0, TimeSpan.FromHours(2));
        var ids = await _db.Service.AddAsync(Alice, [new("  Likes tea  ", OccurredAt: occurred), new("No time given")]);

        var withTime = (await _db.Service.GetAsync(Alice, ids[0].Id))!;
        var withoutTime = (await _db.Service.GetAsync(Alice, ids[1].Id))!;
        Assert.Equal("Likes tea", withTime.Text);
        Assert.Equal("claude", withTime.App);
        Assert.Equal(MemoryState.Active, withTime.State);
        Assert.Equal(occurred, withTime.OccurredAt);
        Assert.Equal(TimeSpan.Zero, withTime.OccurredAt.Offset);
        Assert.Equal(_db.Time.Now, withTime.CreatedAt);
        Assert.Equal(_db.Time.Now, withoutTime.OccurredAt);
    }

    [Fact]
    public async Task Add_NormalisesTags_TrimmedLowerCasedAndDistinct()
    {
        var ids = await _db.Service.AddAsync(Alice, [new("Tagged", ["  Work ", "work", "PROJECT-X"])]);

        Assert.Equal(["project-x", "work"], (await _db.Service.GetAsync(Alice, ids[0].Id))!.Tags);
    }

    [Fact]
    public async Task Add_MemoriesOfOneCall_ShareABatchInInputOrder()
    {
        var first = await _db.Service.AddAsync(Alice, [new("a one"), new("b two")]);
        var second = await _db.Service.AddAsync(Alice, [new("c three")]);

        var rows = await _db.QueryAsync("SELECT id, batch_id, batch_index FROM memories");
        var batch = rows.ToDictionary(r => (string)r[0]!, r => ((string)r[1]!, (long)r[2]!));
        Assert.Equal(batch[first[0].Id].Item1, batch[first[1].Id].Item1);
        Assert.NotEqual(batch[first[0].Id].Item1, batch[second[0].Id].Item1);
        Assert.Equal(0, batch[first[0].Id].Item2);
        Assert.Equal(1, batch[first[1].Id].Item2);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\n\t ")]
    public async Task Add_WithEmptyText_IsRejectedAndChangesNothing(string text)
    {
        await _db.Service.AddAsync(Alice, [new("Existing")]);
        var before = await _db.SnapshotAsync();

        var error = await Assert.ThrowsAsync<MemoryValidationException>(() => _db.Service.AddAsync(Alice, [new("Fine"), new(text)]));

        Assert.Equal("memories[1].text is empty. Send the fact to remember as non-empty text.", error.Message);
        Assert.Equal(before, await _db.SnapshotAsync());
    }

    [Fact]
    public async Task Add_WithTextOverTheLimit_IsRejectedAndChangesNothing()
    {
        var before = await _db.SnapshotAsync();

        var error = await Assert.ThrowsAsync<MemoryValidationException>(() => _db.Service.AddAsync(Alice, [new(new string('x', 8_001))]));

        Assert.Contains("memories[0].text is 8001 characters long; the limit is 8000", error.Message);
        Assert.Equal(before, await _db.SnapshotAsync());
    }

    [Fact]
    public async Task Add_WithTextAtTheLimitAfterTrimming_IsAccepted()
    {
        var ids = await _db.Service.AddAsync(Alice, [new("  " + new string('x', 8_000) + "  ")]);

        Assert.Equal(8_000, (await _db.Service.GetAsync(Alice, ids[0].Id))!.Text.Length);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(101)]
    public async Task Add_WithNoneOrTooManyItems_IsRejectedAndChangesNothing(int count)
    {
        var before = await _db.SnapshotAsync();

        var error = await Assert.ThrowsAsync<MemoryValidationException>(
            () => _db.Service.AddAsync(Alice, Enumerable.Range(0, count).Select(i => new NewMemory($"fact {i}")).ToList()));

        Assert.Equal($"memories must contain between 1 and 100 items; got {count}. Split larger batches into several calls.", error.Message);
        Assert.Equal(before, await _db.SnapshotAsync());
    }

    [Fact]
    public async Task Add_WithAHundredItems_IsAccepted()
    {
        var outcomes = await _db.Service.AddAsync(Alice, Enumerable.Range(0, 100).Select(i => new NewMemory($"fact {i}")).ToList());

        Assert.Equal(100, outcomes.Count);
        Assert.Equal(100, await _db.CountAsync("alice"));
    }

    public static TheoryData<string[], string> BadTags => new()
    {
        { ["ok", "  "], "memories[0].tags[1] is empty" },
        { [new string('t', 65)], "memories[0].tags[0] is 65 characters long; a tag has at most 64 characters" },
        { Enumerable.Range(0, 21).Select(i => $"tag{i}").ToArray(), "memories[0].tags has more than 20 distinct tags; at most 20 are allowed" },
        { ["bad\u0001tag"], "memories[0].tags[0] contains control characters" },
    };

    [Theory]
    [MemberData(nameof(BadTags))]
    public async Task Add_WithBadTags_IsRejectedAndChangesNothing(string[] tags, string expected)
    {
        var before = await _db.SnapshotAsync();

        var error = await Assert.ThrowsAsync<MemoryValidationException>(() => _db.Service.AddAsync(Alice, [new("Text", tags)]));

        Assert.StartsWith(expected, error.Message);
        Assert.Equal(before, await _db.SnapshotAsync());
    }

    [Fact]
    public async Task Add_WithTwentyTagsOf64Characters_IsAccepted()
    {
        var tags = Enumerable.Range(0, 20).Select(i => i.ToString("D2") + new string('t', 62)).ToArray();

        var ids = await _db.Service.AddAsync(Alice, [new("Text", tags)]);

        Assert.Equal(20, (await _db.Service.GetAsync(Alice, ids[0].Id))!.Tags.Count);
    }

    [Fact]
    public async Task Add_IsDurable_ReadThroughAFreshProcessOnTheSameFile()
    {
        var ids = await _db.Service.AddAsync(Alice, [new("Survives a restart", ["durable"])]);

        // A second provider = a second process: its own pool, its own connections, same file.
        await using var second = _db.OpenProvider();
        var service = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<IMemoryService>(second);
        var memory = await service.GetAsync(Alice, ids[0].Id);

        Assert.Equal("Survives a restart", memory!.Text);
        Assert.Single(await service.SearchAsync(Alice, new SearchRequest("restart")));
    }

    [Fact]
    public async Task Add_FromTwoProvidersAtOnce_BothSucceed()
    {
        await using var second = _db.OpenProvider();
        var other = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<IMemoryService>(second);

        var writes = Enumerable.Range(0, 20).Select(i => (i % 2 == 0 ? _db.Service : other).AddAsync(Alice, [new($"concurrent {i}")]));
        await Task.WhenAll(writes);

        Assert.Equal(20, await _db.CountAsync("alice"));
    }
}
