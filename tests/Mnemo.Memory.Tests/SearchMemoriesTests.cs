using Mnemo.Memory.Memories;

namespace Mnemo.Memory.Tests;

public sealed class SearchMemoriesTests : IAsyncLifetime
{
    private static readonly MemoryCaller Alice = new("alice", "claude");
    private static readonly MemoryCaller Bob = new("bob", "cursor");
    private MemoryTestDatabase _db = null!;

    public async Task InitializeAsync() => _db = await MemoryTestDatabase.CreateAsync();

    public async Task DisposeAsync() => await _db.DisposeAsync();

    private async Task<List<string>> SearchTexts(MemoryCaller caller, SearchRequest request) =>
        (await _db.Service.SearchAsync(caller, request)).Select(h => h.Memory.Text).ToList();

    [Fact]
    public async Task Search_FindsMemoriesByKeyword_BestFirstWithPositiveScores()
    {
        // Separate add calls: memories of one call are each other's context (neighbours) and would match too.
        await _db.Service.AddAsync(Alice, [new("Alice adopted a dog named Rex")]);
        await _db.Service.AddAsync(Alice, [new("Alice likes green tea")]);
        await _db.Service.AddAsync(Alice, [new("The dog Rex loves the dog park")]);

        var hits = await _db.Service.SearchAsync(Alice, new SearchRequest("dog Rex"));

        Assert.Equal(2, hits.Count);
        Assert.All(hits, h => Assert.True(h.Score > 0));
        Assert.True(hits[0].Score >= hits[1].Score);
        Assert.DoesNotContain(hits, h => h.Memory.Text.Contains("tea", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Search_MatchesOtherFormsOfAWord()
    {
        await _db.Service.AddAsync(Alice, [new("I went running by the lake")]);

        Assert.Single(await SearchTexts(Alice, new SearchRequest("does she run?")));
    }

    [Fact]
    public async Task Search_NeverReturnsAnotherUsersMemories()
    {
        await _db.Service.AddAsync(Alice, [new("Alice's secret password hint is pineapple")]);
        await _db.Service.AddAsync(Bob, [new("Bob hates pineapple on pizza")]);

        Assert.Equal(["Bob hates pineapple on pizza"], await SearchTexts(Bob, new SearchRequest("pineapple secret password")));
        Assert.Equal(["Alice's secret password hint is pineapple"], await SearchTexts(Alice, new SearchRequest("pineapple pizza")));
    }

    [Theory]
    [InlineData("\"unbalanced concert")]
    [InlineData("NEAR(concert tickets)")]
    [InlineData("concert OR")]
    [InlineData("text: concert")]
    [InlineData("user_key : concert")]
    [InlineData("conc* ^tickets -concert")]
    [InlineData("concert AND NOT tickets")]
    [InlineData("{text context} : concert")]
    [InlineData("concert\"\" OR \"\"")]
    public async Task Search_WithFts5Syntax_IsTreatedAsPlainWords(string query)
    {
        await _db.Service.AddAsync(Alice, [new("Bought concert tickets for Friday")]);

        var hits = await SearchTexts(Alice, new SearchRequest(query));

        Assert.Equal(["Bought concert tickets for Friday"], hits);
    }

    [Theory]
    [InlineData("the")]
    [InlineData("what did he do?")]
    [InlineData("?!... ---")]
    [InlineData("*")]
    public async Task Search_WithOnlyStopWordsOrPunctuation_ReturnsNothing(string query)
    {
        await _db.Service.AddAsync(Alice, [new("the what did he do")]);

        Assert.Empty(await _db.Service.SearchAsync(Alice, new SearchRequest(query)));
    }

    public static TheoryData<SearchRequest, string> BadRequests => new()
    {
        { new SearchRequest(""), "query is empty." },
        { new SearchRequest("   "), "query is empty." },
        { new SearchRequest(new string('q', 1_001)), "query is 1001 characters long; the limit is 1000." },
        { new SearchRequest("tea", Limit: 0), "limit must be between 1 and 100; got 0." },
        { new SearchRequest("tea", Limit: 101), "limit must be between 1 and 100; got 101." },
        { new SearchRequest("tea", State: MemoryState.Deleted), "state 'deleted' cannot be searched or listed" },
        { new SearchRequest("tea", Tags: [""]), "tags[0] is empty." },
        {
            new SearchRequest("tea", OccurredAfter: new DateTimeOffset(2024, 1, 2, 0, 0, 0, TimeSpan.Zero), OccurredBefore: new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero)),
            "occurred_after (2024-01-02T00:00:00.0000000+00:00) must not be later than occurred_before"
        },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task Search_WithInvalidRequest_IsRejectedAndChangesNothing(SearchRequest request, string expected)
    {
        await _db.Service.AddAsync(Alice, [new("green tea")]);
        var before = await _db.SnapshotAsync();

        var error = await Assert.ThrowsAsync<MemoryValidationException>(() => _db.Service.SearchAsync(Alice, request));

        Assert.StartsWith(expected, error.Message);
        Assert.Equal(before, await _db.SnapshotAsync());
    }

    [Fact]
    public async Task Search_WithTags_ReturnsOnlyMemoriesHavingAllTags()
    {
        await _db.Service.AddAsync(Alice, [
            new("meeting notes one", ["work", "project-x"]),
            new("meeting notes two", ["work"]),
            new("meeting notes three", ["Project-X"]),
        ]);

        Assert.Equal(["meeting notes one"], await SearchTexts(Alice, new SearchRequest("meeting", Tags: [" WORK", "project-x"])));
        Assert.Equal(2, (await SearchTexts(Alice, new SearchRequest("meeting", Tags: ["project-x"]))).Count);
    }

    [Fact]
    public async Task Search_WithTimeRange_IncludesBothBounds()
    {
        var day = new DateTimeOffset(2023, 5, 8, 0, 0, 0, TimeSpan.Zero);
        await _db.Service.AddAsync(Alice, [
            new("trip to Paris early", OccurredAt: day.AddDays(-1)),
            new("trip to Paris start", OccurredAt: day),
            new("trip to Paris middle", OccurredAt: day.AddDays(3)),
            new("trip to Paris end", OccurredAt: day.AddDays(7)),
        ]);

        var hits = await SearchTexts(Alice, new SearchRequest("Paris trip", OccurredAfter: day, OccurredBefore: day.AddDays(7).AddTicks(-1)));

        Assert.Equal(["trip to Paris middle", "trip to Paris start"], hits.Order(StringComparer.Ordinal));
        Assert.Equal(2, (await SearchTexts(Alice, new SearchRequest("Paris", OccurredAfter: day.AddDays(3)))).Count);
        Assert.Equal(2, (await SearchTexts(Alice, new SearchRequest("Paris", OccurredBefore: day))).Count);
        Assert.Equal(["trip to Paris start"], await SearchTexts(Alice, new SearchRequest("Paris", OccurredAfter: day, OccurredBefore: day)));
    }

    [Fact]
    public async Task Search_TimeRangeWithOffsets_ComparesInstants()
    {
        await _db.Service.AddAsync(Alice, [new("lunch with Sam", OccurredAt: new DateTimeOffset(2023, 5, 8, 12, 0, 0, TimeSpan.Zero))]);

        // 13:30 at +02:00 is 11:30 UTC: before noon UTC.
        var after = new DateTimeOffset(2023, 5, 8, 13, 30, 0, TimeSpan.FromHours(2));
        Assert.Single(await SearchTexts(Alice, new SearchRequest("lunch", OccurredAfter: after)));
        Assert.Empty(await SearchTexts(Alice, new SearchRequest("lunch", OccurredBefore: after)));
    }

    [Fact]
    public async Task Search_ReturnsActiveByDefault_AndOtherStatesOnlyWhenAsked()
    {
        var ids = await _db.Service.AddAsync(Alice, [new("piano lessons active"), new("piano lessons archived"), new("piano lessons paused")]);
        await _db.Service.UpdateAsync(Alice, ids[1].Id, null, MemoryState.Archived);
        await _db.Service.UpdateAsync(Alice, ids[2].Id, null, MemoryState.Paused);

        Assert.Equal(["piano lessons active"], await SearchTexts(Alice, new SearchRequest("piano")));
        Assert.Equal(["piano lessons archived"], await SearchTexts(Alice, new SearchRequest("piano", State: MemoryState.Archived)));
        Assert.Equal(["piano lessons paused"], await SearchTexts(Alice, new SearchRequest("piano", State: MemoryState.Paused)));
    }

    [Fact]
    public async Task Search_WithApp_ReturnsOnlyThatAppsMemories()
    {
        await _db.Service.AddAsync(Alice, [new("budget spreadsheet")]);
        await _db.Service.AddAsync(Alice with { App = "cursor" }, [new("budget code review")]);

        Assert.Equal(["budget code review"], await SearchTexts(Alice, new SearchRequest("budget", App: "cursor")));
    }

    [Fact]
    public async Task Search_RespectsLimit()
    {
        await _db.Service.AddAsync(Alice, Enumerable.Range(0, 30).Select(i => new NewMemory($"hiking trip number {i}")).ToList());

        Assert.Equal(5, (await _db.Service.SearchAsync(Alice, new SearchRequest("hiking", Limit: 5))).Count);
    }

    [Fact]
    public async Task Search_FindsExactNamesAndNumbers()
    {
        await _db.Service.AddAsync(Alice, [new("Flight LH1234 leaves at 7:45")]);
        await _db.Service.AddAsync(Alice, [new("Caroline moved to Sweden in 2019")]);
        await _db.Service.AddAsync(Alice, [new("flights are expensive")]);

        Assert.Equal(["Flight LH1234 leaves at 7:45"], await SearchTexts(Alice, new SearchRequest("lh1234")));
        Assert.Equal(["Caroline moved to Sweden in 2019"], await SearchTexts(Alice, new SearchRequest("2019")));
    }

    [Fact]
    public async Task Search_RanksTheDayAMemoryHappened_WhenTheQueryNamesIt()
    {
        await _db.Service.AddAsync(Alice, [new("We went hiking by the lake", OccurredAt: new DateTimeOffset(2023, 6, 20, 10, 0, 0, TimeSpan.Zero))]);
        await _db.Service.AddAsync(Alice, [new("We went hiking in the hills", OccurredAt: new DateTimeOffset(2023, 5, 8, 10, 0, 0, TimeSpan.Zero))]);

        var hits = await SearchTexts(Alice, new SearchRequest("Where did we go hiking in May 2023?"));

        Assert.Equal("We went hiking in the hills", hits[0]);
    }

    [Fact]
    public void QueryTerms_DropStopWords_KeepNumbersAndMonthNames()
    {
        Assert.Equal(["caroline", "go", "lgbtq", "support", "group", "may", "2023"], Search.QueryTerms.Extract("When did Caroline go to the LGBTQ support group in May 2023?"));
    }
}
