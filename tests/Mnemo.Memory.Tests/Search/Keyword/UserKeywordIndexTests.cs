using Mnemo.Memory.Memories;
using Mnemo.Memory.Search;
using Mnemo.Memory.Search.Keyword;

namespace Mnemo.Memory.Tests.Keyword;

public sealed class UserKeywordIndexTests
{
    private static readonly KeywordRanking Ranking = new(NeighbourWindow: 2, ContextWeight: 0.5f, Dates: true);
    private static readonly MemoryFilter ActiveOnly = new(MemoryState.Active, [], null, null, null);
    private static readonly long May8 = new DateTime(2023, 5, 8, 10, 0, 0, DateTimeKind.Utc).Ticks;

    private readonly UserKeywordIndex _index = new(Ranking);

    /// <summary>A memory alone in its add call (no neighbours) unless <paramref name="batch"/> says otherwise.</summary>
    private static KeywordDocument Doc(
        string id, string text, string? batch = null, int position = 0, MemoryState state = MemoryState.Active,
        string? app = null, long? occurredAt = null, params string[] tags) =>
        new(id, new MemoryFacts(state, app, occurredAt ?? May8, tags), batch ?? id, position, text);

    /// <summary>The memories of one add call, in order: ids "{batch}0", "{batch}1", ...</summary>
    private void AddBatch(string batch, params string[] texts)
    {
        for (var i = 0; i < texts.Length; i++)
        {
            _index.Upsert(Doc($"{batch}{i}", texts[i], batch, i));
        }
    }

    private static List<ScoredId> Search(UserKeywordIndex index, string query, MemoryFilter? filter = null, int limit = 100) =>
        index.Search(KeywordTokenizer.QueryStems(QueryTerms.Extract(query)), filter ?? ActiveOnly, limit);

    private List<string> Ids(string query, MemoryFilter? filter = null, int limit = 100) =>
        Search(_index, query, filter, limit).Select(s => s.Id).ToList();

    [Fact]
    public void Search_WithAnotherFormOfAWord_FindsTheMemory()
    {
        _index.Upsert(Doc("hikes", "Weekend hikes in the Alps"));
        _index.Upsert(Doc("swim", "Swimming in the lake"));

        Assert.Equal(["hikes"], Ids("hiking"));
        Assert.Equal(["swim"], Ids("swims"));
    }

    [Fact]
    public void Search_WithOrWithoutDiacritics_FindsTheSameMemory()
    {
        _index.Upsert(Doc("cafe", "Met Sam at the cafe"));
        _index.Upsert(Doc("creme", "Crème brûlée for dessert"));

        Assert.Equal(["cafe"], Ids("café"));
        Assert.Equal(["creme"], Ids("creme brulee"));
    }

    [Fact]
    public void Search_ScoresAsBm25WithTheBackgroundCollection()
    {
        var index = new UserKeywordIndex(Ranking with { Dates = false });
        index.Upsert(Doc("only", "hiking boots"));

        var hit = Assert.Single(Search(index, "hiking"));

        // N = 1, n = 1, f = 1, length = average: idf × f(k1 + 1) / (f + k1) = idf.
        Assert.Equal(Math.Log((1 + 5_000 - 1 + 0.5) / (1 + 0.5)), hit.Score, 1e-9);
    }

    [Fact]
    public void Search_RanksOwnWordsAboveWordsOnlyANeighbourHas()
    {
        AddBatch("b", "Caroline went to the support group", "She felt welcome there");

        var hits = Search(_index, "support group");

        Assert.Equal(["b0", "b1"], hits.Select(h => h.Id));
        Assert.True(hits[0].Score > hits[1].Score, $"{hits[0].Score} vs {hits[1].Score}");
    }

    [Fact]
    public void Search_FindsAMemoryThroughTheWordsOfNeighboursWithinTheWindow()
    {
        AddBatch("b", "Melanie painted a sunrise", "It took her a week", "She hung it in the kitchen", "Then she went to bed");
        _index.Upsert(Doc("alone", "Another week passed"));

        var sunrise = Ids("sunrise");
        Assert.Equal("b0", sunrise[0]);
        Assert.Equal(["b1", "b2"], sunrise.Skip(1).Order(StringComparer.Ordinal));
        // "week": own words of b1 and "alone"; context of b0, b2 and b3 (b1's neighbours).
        Assert.Equal(["alone", "b0", "b1", "b2", "b3"], Ids("week").Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Remove_OfANeighbour_ChangesTheContextOfTheOthersAtOnce()
    {
        AddBatch("b", "Melanie painted a sunrise", "It took her a week", "She hung it in the kitchen", "Then she went to bed");
        Assert.Equal(["b0", "b1", "b2"], Ids("sunrise").Order(StringComparer.Ordinal));

        Assert.True(_index.Remove("b1"));

        // b3 is now two live positions after b0: inside the window.
        Assert.Equal(["b0", "b2", "b3"], Ids("sunrise").Order(StringComparer.Ordinal));
        Assert.Empty(Ids("week"));
    }

    [Fact]
    public void Upsert_OfANeighbour_ChangesTheContextOfTheOthersAtOnce()
    {
        AddBatch("b", "We adopted a puppy", "We named him Rex");
        Assert.Equal(["b0", "b1"], Ids("puppy"));

        _index.Upsert(Doc("b0", "We adopted a kitten", "b", 0));

        Assert.Empty(Ids("puppy"));
        Assert.Equal(["b0", "b1"], Ids("kitten"));
        Assert.Equal(["b1", "b0"], Ids("Rex"));
        Assert.Equal(2, _index.Count);
    }

    [Fact]
    public void Search_ForADate_MatchesOnlyTheMemoryThatHappenedThatDay_NotItsNeighbours()
    {
        var june = new DateTime(2024, 6, 20, 9, 0, 0, DateTimeKind.Utc).Ticks;
        _index.Upsert(Doc("may", "Went hiking in the hills", "b", 0, occurredAt: May8));
        _index.Upsert(Doc("june", "Bought new boots", "b", 1, occurredAt: june));

        Assert.Equal(["may"], Ids("May 2023"));
        Assert.Equal(["june"], Ids("June 2024"));
        Assert.Equal(["may"], Ids("8"));
    }

    [Fact]
    public void Search_WithDatesOff_DoesNotMatchDates()
    {
        var index = new UserKeywordIndex(Ranking with { Dates = false });
        index.Upsert(Doc("may", "Went hiking in the hills", occurredAt: May8));

        Assert.Empty(Search(index, "May 2023"));
        Assert.Single(Search(index, "hiking"));
    }

    [Fact]
    public void Search_WithState_ReturnsOnlyMemoriesInThatState()
    {
        _index.Upsert(Doc("active", "piano lessons"));
        _index.Upsert(Doc("archived", "piano lessons", state: MemoryState.Archived));
        _index.Upsert(Doc("paused", "piano lessons", state: MemoryState.Paused));

        Assert.Equal(["active"], Ids("piano"));
        Assert.Equal(["archived"], Ids("piano", ActiveOnly with { State = MemoryState.Archived }));
        Assert.Equal(["paused"], Ids("piano", ActiveOnly with { State = MemoryState.Paused }));
    }

    [Fact]
    public void Search_WithApp_ReturnsOnlyThatAppsMemories()
    {
        _index.Upsert(Doc("claude", "budget spreadsheet", app: "claude"));
        _index.Upsert(Doc("cursor", "budget review", app: "cursor"));
        _index.Upsert(Doc("none", "budget plan"));

        Assert.Equal(["cursor"], Ids("budget", ActiveOnly with { App = "cursor" }));
        Assert.Equal(3, Ids("budget").Count);
    }

    [Fact]
    public void Search_WithTags_ReturnsOnlyMemoriesHavingAllOfThem()
    {
        _index.Upsert(Doc("both", "meeting notes", tags: ["work", "project-x"]));
        _index.Upsert(Doc("work", "meeting notes", tags: ["work"]));
        _index.Upsert(Doc("x", "meeting notes", tags: ["project-x", "home"]));

        Assert.Equal(["both"], Ids("meeting", ActiveOnly with { Tags = ["work", "project-x"] }));
        Assert.Equal(["both", "x"], Ids("meeting", ActiveOnly with { Tags = ["project-x"] }).Order(StringComparer.Ordinal));
        Assert.Empty(Ids("meeting", ActiveOnly with { Tags = ["work", "home"] }));
    }

    [Fact]
    public void Search_WithTimeRange_IncludesBothBounds()
    {
        for (var i = -2; i <= 2; i++)
        {
            _index.Upsert(Doc($"t{i}", "trip to Paris", occurredAt: May8 + i));
        }

        Assert.Equal(["t-1", "t0", "t1"], Ids("Paris", ActiveOnly with { OccurredAfter = May8 - 1, OccurredBefore = May8 + 1 }).Order(StringComparer.Ordinal));
        Assert.Equal(["t0"], Ids("Paris", ActiveOnly with { OccurredAfter = May8, OccurredBefore = May8 }));
        Assert.Equal(["t1", "t2"], Ids("Paris", ActiveOnly with { OccurredAfter = May8 + 1 }).Order(StringComparer.Ordinal));
        Assert.Equal(["t-1", "t-2"], Ids("Paris", ActiveOnly with { OccurredBefore = May8 - 1 }).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Search_WithLimit_ReturnsTheBestMatchesBestFirst()
    {
        // A shorter document scores higher (BM25 length normalisation): h0 best, h9 worst. Added in mixed order.
        foreach (var i in new[] { 3, 7, 0, 9, 1, 5, 8, 2, 6, 4 })
        {
            _index.Upsert(Doc($"h{i}", "hiking " + string.Join(' ', Enumerable.Range(0, i).Select(w => $"word{w}"))));
        }

        var all = Search(_index, "hiking");

        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"h{i}"), all.Select(h => h.Id));
        Assert.Equal(all.Take(3), Search(_index, "hiking", limit: 3));
        Assert.Empty(Search(_index, "hiking", limit: 0));
    }

    [Fact]
    public void Remove_HidesTheMemory_AndReportsWhetherItWasThere()
    {
        _index.Upsert(Doc("keep", "green tea"));
        _index.Upsert(Doc("gone", "green tea with mint"));

        Assert.True(_index.Remove("gone"));
        Assert.False(_index.Remove("gone"));
        Assert.False(_index.Remove("never"));

        Assert.Equal(1, _index.Count);
        Assert.Equal(["keep"], Ids("green tea mint"));
        Assert.Empty(Ids("mint"));
        Assert.Equal(["keep"], _index.ContainingAll(["green", "tea"], 10));
    }

    [Fact]
    public void ContainingAll_ReturnsActiveMemoriesWithEveryStem_NewestFirst()
    {
        _index.Upsert(Doc("oldest", "a red apple pie"));
        _index.Upsert(Doc("green", "a green apple"));
        _index.Upsert(Doc("middle", "Red apples"));
        _index.Upsert(Doc("archived", "red apple juice", state: MemoryState.Archived));
        _index.Upsert(Doc("removed", "red apple tart"));
        _index.Upsert(Doc("newest", "one red apple"));
        // Neighbours' words are not a memory's own: "car" has "red" and "apple" only as context.
        AddBatch("ctx", "a red car", "an apple tree");
        _index.Remove("removed");
        var stems = KeywordTokenizer.QueryStems(["red", "apples"]);

        Assert.Equal(["newest", "middle", "oldest"], _index.ContainingAll(stems, 10));
        Assert.Equal(["newest", "middle"], _index.ContainingAll(stems, 2));
        Assert.Empty(_index.ContainingAll(KeywordTokenizer.QueryStems(["red", "banana"]), 10));
        Assert.Empty(_index.ContainingAll([], 10));
    }

    [Fact]
    public void Search_WithCommonWordInEveryMemory_StillRanksTheRareMatchFirst()
    {
        for (var i = 0; i < 100; i++)
        {
            _index.Upsert(Doc($"c{i}", $"Caroline talked with Caroline about day {i}"));
        }

        _index.Upsert(Doc("rare", "The puppy chewed a shoe"));

        var hits = Search(_index, "Caroline puppy", limit: 5);

        Assert.Equal("rare", hits[0].Id);
        Assert.All(hits.Skip(1), h => Assert.StartsWith("c", h.Id, StringComparison.Ordinal));
        Assert.True(hits[0].Score > hits[1].Score);
    }

    [Fact]
    public void Remove_OfMostMemories_CompactsAndKeepsResultsAndIdsRight()
    {
        // 1,500 add calls of two memories; every memory has a unique word "u{i}" and a shared one "common{i % 10}".
        var texts = Enumerable.Range(0, 3_000).Select(i => $"note u{i} about common{i % 10}").ToList();
        for (var i = 0; i < texts.Count; i++)
        {
            _index.Upsert(Doc($"m{i}", texts[i], $"b{i / 2}", i % 2));
        }

        // Remove whole add calls (2,000 memories), so each kept memory keeps its neighbour; compaction runs on the way.
        bool Kept(int i) => i / 2 % 3 == 0;
        for (var i = 0; i < texts.Count; i++)
        {
            if (!Kept(i))
            {
                Assert.True(_index.Remove($"m{i}"));
            }
        }

        Assert.Equal(1_000, _index.Count);
        // The same memories indexed from scratch score the same.
        var fresh = new UserKeywordIndex(Ranking);
        for (var i = 0; i < texts.Count; i++)
        {
            if (Kept(i))
            {
                fresh.Upsert(Doc($"m{i}", texts[i], $"b{i / 2}", i % 2));
            }
        }

        foreach (var i in new[] { 0, 1, 6, 7, 2_994, 2_995 })
        {
            var partner = i % 2 == 0 ? i + 1 : i - 1;
            Assert.Equal([$"m{i}", $"m{partner}"], Ids($"u{i}"));
            Assert.Equal([$"m{i}"], _index.ContainingAll([$"u{i}"], 10));
        }

        foreach (var i in new[] { 2, 3, 5, 2_999 })
        {
            Assert.Empty(Ids($"u{i}"));
            Assert.Empty(_index.ContainingAll([$"u{i}"], 10));
        }

        var common = Search(_index, "common3", limit: 1_000);
        var expected = Enumerable.Range(0, texts.Count).Where(i => Kept(i) && (i % 10 == 3 || (i ^ 1) % 10 == 3)).Select(i => $"m{i}");
        Assert.Equal(expected.Order(StringComparer.Ordinal), common.Select(h => h.Id).Order(StringComparer.Ordinal));
        var reference = Search(fresh, "common3 u6", limit: 1_000);
        var compacted = Search(_index, "common3 u6", limit: 1_000);
        Assert.Equal(reference.Select(h => h.Id).Order(StringComparer.Ordinal), compacted.Select(h => h.Id).Order(StringComparer.Ordinal));
        var referenceScores = reference.ToDictionary(h => h.Id, h => h.Score);
        Assert.All(compacted, h => Assert.Equal(referenceScores[h.Id], h.Score, 1e-9));

        // Writes after compaction land in the right place.
        _index.Upsert(Doc("late", "note u0 again"));
        Assert.Equal(["late", "m0"], _index.ContainingAll(["u0"], 10));
    }
}
