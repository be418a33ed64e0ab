using Mnemo.Memory.Memories;

namespace Mnemo.Memory.Tests;

[Collection(EmbeddingModelCollection.Name)]
public sealed class DeduplicationTests(EmbeddingModelFixture model)
{
    private static readonly MemoryCaller Alice = new("alice", "claude");

    [Fact]
    public async Task Add_NearDuplicate_UpdatesTheExistingMemory_AndSaysSo()
    {
        await using var db = await MemoryTestDatabase.CreateAsync(model.Model);
        var first = await db.Service.AddAsync(Alice, [new("I like green tea", ["drinks"])]);
        db.Time.Advance(TimeSpan.FromHours(1));

        var second = await db.Service.AddAsync(Alice, [new("I like green tea.", ["home"]), new("My sister lives in Oslo")]);

        Assert.Equal(new AddOutcome(first[0].Id, "updated"), second[0]);
        Assert.Equal("added", second[1].Outcome);
        Assert.Equal(2, await db.CountAsync("alice"));
        var memory = (await db.Service.GetAsync(Alice, first[0].Id))!;
        Assert.Equal("I like green tea.", memory.Text);
        Assert.Equal(["drinks", "home"], memory.Tags);
        Assert.Equal(db.Time.Now, memory.UpdatedAt);
        Assert.Single(await db.QueryAsync("SELECT 1 FROM memory_history WHERE old_text = 'I like green tea'"));
    }

    [Theory]
    [InlineData("Tea.")]
    [InlineData("Likes tea")]
    [InlineData("Oslo")]
    [InlineData("I agree")]
    public async Task Add_SameShortTextAgain_AmongLongerOnes_UpdatesTheExistingMemory(string text)
    {
        // Vectors of very short texts vary most with the texts embedded alongside (activations are quantised per
        // batch): the same text, ignoring case and spacing, must count as a duplicate whatever its vector.
        await using var db = await MemoryTestDatabase.CreateAsync(model.Model);
        var first = await db.Service.AddAsync(Alice, [new(text)]);

        var second = await db.Service.AddAsync(Alice,
        [
            new("My brother, who lives in Bergen with his two kids and a very loud dog, is visiting us next spring for two weeks."),
            new(text.ToUpperInvariant()),
        ]);

        Assert.Equal(new AddOutcome(first[0].Id, "updated"), second[1]);
    }

    [Fact]
    public async Task Add_DifferentFact_IsAdded()
    {
        await using var db = await MemoryTestDatabase.CreateAsync(model.Model);
        await db.Service.AddAsync(Alice, [new("I like green tea")]);

        var outcome = await db.Service.AddAsync(Alice, [new("I like black coffee")]);

        Assert.Equal("added", outcome[0].Outcome);
        Assert.Equal(2, await db.CountAsync("alice"));
    }

    [Theory]
    [InlineData(0.8, "updated")]
    [InlineData(1.01, "added")]
    public async Task Add_Deduplication_FollowsTheConfiguredThreshold(double threshold, string expected)
    {
        await using var db = await MemoryTestDatabase.CreateAsync(model.Model, o => o.DeduplicationThreshold = threshold);
        await db.Service.AddAsync(Alice, [new("I really like green tea")]);

        var outcome = await db.Service.AddAsync(Alice, [new("Green tea: I really like it!")]);

        Assert.Equal(expected, outcome[0].Outcome);
    }

    [Fact]
    public async Task Add_DuplicateInsideOneCall_ReturnsTheFirstId()
    {
        await using var db = await MemoryTestDatabase.CreateAsync(model.Model);

        var outcomes = await db.Service.AddAsync(Alice, [new("Call mom on Sunday"), new("call mom on sunday")]);

        Assert.Equal([new AddOutcome(outcomes[0].Id, "added"), new AddOutcome(outcomes[0].Id, "updated")], outcomes);
        Assert.Equal(1, await db.CountAsync("alice"));
    }

    [Fact]
    public async Task Add_NeverDeduplicatesAcrossUsers()
    {
        await using var db = await MemoryTestDatabase.CreateAsync(model.Model);
        await db.Service.AddAsync(new MemoryCaller("bob", null), [new("I like green tea")]);

        Assert.Equal("added", (await db.Service.AddAsync(Alice, [new("I like green tea")]))[0].Outcome);
    }

    [Fact]
    public async Task Add_WithoutModel_DeduplicatesIdenticalTextOnly()
    {
        await using var db = await MemoryTestDatabase.CreateAsync();
        var first = await db.Service.AddAsync(Alice, [new("I like green tea")]);

        var again = await db.Service.AddAsync(Alice, [new("  i like   GREEN tea "), new("I like green tea.")]);

        Assert.Equal(new AddOutcome(first[0].Id, "updated"), again[0]);
        Assert.Equal("added", again[1].Outcome);
    }
}
