using Mnemo.Memory.Memories;

namespace Mnemo.Memory.Tests;

/// <summary>
/// Every list and every client-chosen string is bounded before it is processed: a read-only token must not be able to
/// buy seconds of server CPU or megabytes of database with one call.
/// </summary>
public sealed class InputBoundsTests : IAsyncLifetime
{
    private static readonly MemoryCaller Alice = new("alice", "claude");
    private MemoryTestDatabase _db = null!;

    public async Task InitializeAsync() => _db = await MemoryTestDatabase.CreateAsync();

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task Tags_AreRefusedAtTheFirstDistinctTagPastTheLimit_BeforeTheRestIsRead()
    {
        // 21 distinct tags, then one that would be an error of its own: refusing at the 21st means the rest was never read.
        var tags = Enumerable.Range(0, MemoryErrors.MaxTags + 1).Select(i => $"t{i}").Append("").ToList();

        var error = await Assert.ThrowsAsync<MemoryValidationException>(() => _db.Service.SearchAsync(Alice, new SearchRequest("x", Tags: tags)));

        Assert.Contains($"more than {MemoryErrors.MaxTags} distinct tags", error.Message);
    }

    [Fact]
    public async Task Tags_AHugeListOfDistinctTags_IsRefusedWithoutTouchingItsTail()
    {
        // 300,000 distinct tags once cost the server seconds (a quadratic duplicate check before the limit).
        var tags = Enumerable.Range(0, 300_000).Select(i => $"t{i}").ToList();

        var list = await Assert.ThrowsAsync<MemoryValidationException>(() => _db.Service.ListAsync(Alice, new ListRequest(Tags: tags)));
        var search = await Assert.ThrowsAsync<MemoryValidationException>(() => _db.Service.SearchAsync(Alice, new SearchRequest("x", Tags: tags)));

        Assert.Contains("distinct tags", list.Message);
        Assert.Contains("distinct tags", search.Message);
    }

    [Fact]
    public async Task Tags_RepeatedPastTheEntryLimit_AreRefused()
    {
        var tags = Enumerable.Repeat("work", MemoryErrors.MaxTagEntries + 1).ToList();

        await Assert.ThrowsAsync<MemoryValidationException>(() => _db.Service.AddAsync(Alice, [new("text", tags)]));
    }

    [Fact]
    public async Task Tags_RepeatedWithinTheLimit_AreKeptOnce()
    {
        var added = await _db.Service.AddAsync(Alice, [new("Prefers tea.", ["Work", "work ", "home", "work"])]);

        var memory = await _db.Service.GetAsync(Alice, added[0].Id);
        Assert.Equal(["home", "work"], memory!.Tags);
    }

    [Fact]
    public async Task AppName_OfMegabytes_IsStoredCappedOnEveryRow()
    {
        var huge = new MemoryCaller("alice", new string('x', 3_000_000));
        var sizeBefore = await _db.SizeAsync();
        await _db.Service.AddAsync(huge, [new("Prefers tea.")]);
        for (var i = 0; i < 5; i++)
        {
            await _db.Service.ListAsync(huge, new ListRequest());
        }

        await _db.FlushAccessLogAsync();
        var longest = await _db.QueryAsync("SELECT max(length(app)) FROM memory_access_log UNION ALL SELECT max(length(app)) FROM memories");
        Assert.All(longest, row => Assert.InRange(Convert.ToInt64(row[0], System.Globalization.CultureInfo.InvariantCulture), 1, 100));
        var growth = await _db.SizeAsync() - sizeBefore;
        Assert.True(growth < 2_000_000, $"database grew by {growth} bytes");
    }

    [Fact]
    public async Task AppName_LosesBidiAndZeroWidthCharacters_AndFiltersMatchTheStoredName()
    {
        var spoofing = new MemoryCaller("alice", "Claude\u202E\u200B  Desktop\u0000");
        var added = await _db.Service.AddAsync(spoofing, [new("Prefers tea.")]);

        var memory = await _db.Service.GetAsync(Alice, added[0].Id);
        Assert.Equal("Claude Desktop", memory!.App);
        var page = await _db.Service.ListAsync(Alice, new ListRequest(App: "Claude\u202E Desktop"));
        Assert.Single(page.Items);
    }

    [Fact]
    public async Task Text_WithANulCharacter_IsRefusedOnAddAndUpdate_AndChangesNothing()
    {
        // PostgreSQL cannot store U+0000 in text: refused on every engine with a message, never a server error on one.
        var id = (await _db.Service.AddAsync(Alice, [new("Prefers tea.")]))[0].Id;
        var before = await _db.SnapshotAsync();

        var add = await Assert.ThrowsAsync<MemoryValidationException>(() => _db.Service.AddAsync(Alice, [new("ok"), new("tea\0time")]));
        var update = await Assert.ThrowsAsync<MemoryValidationException>(() => _db.Service.UpdateAsync(Alice, id, "tea\0time", null));

        Assert.StartsWith("memories[1].text contains a NUL character", add.Message);
        Assert.StartsWith("text contains a NUL character", update.Message);
        Assert.Equal(before, await _db.SnapshotAsync());
    }

    [Fact]
    public async Task Text_WithALoneSurrogate_IsStoredWithAReplacementCharacter()
    {
        // Half of a UTF-16 pair has no UTF-8 form: SQLite's driver used to store U+FFFD, PostgreSQL's refused the write.
        var added = await _db.Service.AddAsync(Alice, [new("tea \uD83D time \uDE00 \uD83D\uDE00")]);

        var memory = await _db.Service.GetAsync(Alice, added[0].Id);
        Assert.Equal("tea \uFFFD time \uFFFD \uD83D\uDE00", memory!.Text);
        Assert.Single(await _db.Service.SearchAsync(Alice, new SearchRequest("time")));
    }

    [Fact]
    public async Task Tags_WithALoneSurrogate_AreRefused_WhenStoredAndWhenFiltered()
    {
        var before = await _db.SnapshotAsync();

        var add = await Assert.ThrowsAsync<MemoryValidationException>(() => _db.Service.AddAsync(Alice, [new("Prefers tea.", ["tea\uD800"])]));
        var list = await Assert.ThrowsAsync<MemoryValidationException>(() => _db.Service.ListAsync(Alice, new ListRequest(Tags: ["tea\uDC00"])));

        Assert.StartsWith("memories[0].tags[0] contains control characters or broken Unicode", add.Message);
        Assert.StartsWith("tags[0] contains control characters or broken Unicode", list.Message);
        Assert.Equal(before, await _db.SnapshotAsync());
    }

    [Fact]
    public async Task Ids_NotShapedLikeAMemoryId_AreUnknownToEveryCall_AndChangeNothing()
    {
        // Never a query with them: PostgreSQL refuses U+0000 and broken UTF-16 as parameters (a server error before).
        // Not theory data: xunit would carry the lone surrogate through UTF-8 and test U+FFFD instead.
        await _db.Service.AddAsync(Alice, [new("Prefers tea.")]);
        foreach (var id in new[] { "a\0b", "\uD800", "not-an-id" })
        {
            Assert.Null(await _db.Service.GetAsync(Alice, id));
            var before = await _db.SnapshotAsync();

            var update = await Assert.ThrowsAsync<MemoryValidationException>(() => _db.Service.UpdateAsync(Alice, id, "x", null));
            var delete = await Assert.ThrowsAsync<MemoryValidationException>(() => _db.Service.DeleteAsync(Alice, [id]));

            Assert.StartsWith("No memory with id", update.Message);
            Assert.StartsWith("No memory with id", delete.Message);
            Assert.Equal(before, await _db.SnapshotAsync());
        }

        Assert.Equal(1, await _db.CountAsync(Alice.UserId));
    }
}
