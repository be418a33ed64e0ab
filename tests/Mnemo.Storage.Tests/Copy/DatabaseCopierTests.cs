using Microsoft.EntityFrameworkCore;
using Mnemo.Storage.Copy;

namespace Mnemo.Storage.Tests.Copy;

/// <summary>The EF-metadata-driven copier and checksums, on a small model with every kind of key and column Mnemo has.</summary>
public sealed class DatabaseCopierTests
{
    // Small batches: every table spans several, and labels' composite keys cross a batch boundary within one item.
    private const int Batch = 2;

    private static readonly DateTimeOffset Created = new DateTimeOffset(2026, 3, 14, 9, 30, 15, TimeSpan.FromHours(2)).AddTicks(1_234_567);

    [Fact]
    public async Task Copy_SqliteToSqlite_KeepsEveryKeyAndValue_AndEveryChecksumMatches()
    {
        await using var from = await CopyTestDatabase.SqliteAsync();
        await using var to = await CopyTestDatabase.SqliteAsync();
        await SeedAsync(from);

        var copied = await CopyAsync(from, to);

        Assert.Equal(["b_owners:5", "c_items:7", "a_labels:9"], copied.Select(c => $"{c.Table}:{c.Rows}"));
        await AssertSameRowsAsync(from, to);
        var verification = await VerifyAsync(from, to);
        Assert.All(verification, v => Assert.True(v.Matches, v.Table));
    }

    [Fact]
    [Trait("Provider", "Postgres")]
    public async Task Copy_SqliteToPostgres_KeepsEveryKeyAndValue_ChecksumsMatch_AndNewRowsGetIdsPastTheCopiedOnes()
    {
        await using var from = await CopyTestDatabase.SqliteAsync();
        await using var to = await CopyTestDatabase.PostgresAsync();
        await SeedAsync(from);

        await CopyAsync(from, to);

        await AssertSameRowsAsync(from, to);
        Assert.All(await VerifyAsync(from, to), v => Assert.True(v.Matches, v.Table));
        await using var db = to.Open();
        var item = new Item { Text = "new", Payload = [1], Owner = await db.Owners.SingleAsync(o => o.Id == "ab") };
        db.Items.Add(item);
        await db.SaveChangesAsync();
        Assert.Equal(102, item.Id); // ids 1 to 6 and 101 were copied
    }

    [Fact]
    [Trait("Provider", "Postgres")]
    public async Task Copy_ThatFailsHalfway_InASharedTransaction_LeavesTheTargetEmpty()
    {
        await using var from = await CopyTestDatabase.SqliteAsync();
        await using var to = await CopyTestDatabase.PostgresAsync();
        await SeedAsync(from);
        await using (var db = from.Open())
        {
            // SQLite does not enforce lengths; PostgreSQL's varchar(16) refuses this row, after b_owners' first batch was written.
            db.Owners.Add(new Owner { Id = "zz", Name = new string('x', 40) });
            await db.SaveChangesAsync();
        }

        await Assert.ThrowsAnyAsync<DbUpdateException>(() => CopyAsync(from, to));

        await using var target = to.Open();
        Assert.All(await DatabaseCopier.CountRowsAsync(target, CancellationToken.None), c => Assert.Equal(0, c.Rows));
    }

    [Fact]
    public async Task Copy_RefusesATargetThatHasRows_NamingTheTable_AndWritesNothing()
    {
        await using var from = await CopyTestDatabase.SqliteAsync();
        await using var to = await CopyTestDatabase.SqliteAsync();
        await SeedAsync(from);
        await using (var db = to.Open())
        {
            db.Owners.Add(new Owner { Id = "already-here", Name = "x" });
            await db.SaveChangesAsync();
        }

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => CopyAsync(from, to));

        Assert.Contains("b_owners has 1 rows", refused.Message);
        await using var target = to.Open();
        Assert.Equal(["a_labels:0", "b_owners:1", "c_items:0"],
            (await DatabaseCopier.CountRowsAsync(target, CancellationToken.None)).Select(c => $"{c.Table}:{c.Rows}").Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task CountRows_ReportsTablesTheDatabaseDoesNotHaveYet_AsAbsent()
    {
        await using var empty = await CopyTestDatabase.SqliteAsync(create: false);
        await using var db = empty.Open();

        var counts = await DatabaseCopier.CountRowsAsync(db, CancellationToken.None);

        Assert.All(counts, c => Assert.False(c.Exists));
        Assert.Equal(3, counts.Count);
    }

    [Fact]
    public async Task Verify_DetectsAChangedValue_InThatTableOnly()
    {
        await using var from = await CopyTestDatabase.SqliteAsync();
        await using var to = await CopyTestDatabase.SqliteAsync();
        await SeedAsync(from);
        await CopyAsync(from, to);
        await using (var db = to.Open())
        {
            await db.Database.ExecuteSqlRawAsync("UPDATE c_items SET Score = 0.5000001 WHERE Id = 3");
        }

        var verification = await VerifyAsync(from, to);

        var mismatch = Assert.Single(verification, v => !v.Matches);
        Assert.Equal("c_items", mismatch.Table);
        Assert.Equal(mismatch.Source.Rows, mismatch.Target.Rows);
        Assert.NotEqual(mismatch.Source.Checksum, mismatch.Target.Checksum);
    }

    [Theory]
    [InlineData("DELETE FROM a_labels WHERE Name = 'z'")]
    [InlineData("UPDATE b_owners SET Email = '' WHERE Email IS NULL")]
    [InlineData("UPDATE b_owners SET Photo = x'0102' WHERE Id = 'ab'")]
    [InlineData("UPDATE c_items SET OwnerId = 'B' WHERE Id = 1")]
    public async Task Verify_DetectsAMissingRow_NullBecomingEmpty_ChangedBytes_AndAChangedShadowForeignKey(string tamper)
    {
        await using var from = await CopyTestDatabase.SqliteAsync();
        await using var to = await CopyTestDatabase.SqliteAsync();
        await SeedAsync(from);
        await CopyAsync(from, to);
        await using (var db = to.Open())
        {
            await db.Database.ExecuteSqlRawAsync(tamper);
        }

        Assert.Single(await VerifyAsync(from, to), v => !v.Matches);
    }

    [Fact]
    public async Task Checksum_IsTheSameForTheSameRows_WrittenInAnotherOrder()
    {
        await using var a = await CopyTestDatabase.SqliteAsync();
        await using var b = await CopyTestDatabase.SqliteAsync();
        await using (var db = a.Open())
        {
            db.Owners.AddRange(new Owner { Id = "x", Name = "1" }, new Owner { Id = "y", Name = "2" });
            await db.SaveChangesAsync();
        }

        await using (var db = b.Open())
        {
            db.Owners.Add(new Owner { Id = "y", Name = "2" });
            await db.SaveChangesAsync();
            db.Owners.Add(new Owner { Id = "x", Name = "1" });
            await db.SaveChangesAsync();
        }

        await using var first = a.Open();
        await using var second = b.Open();
        Assert.Equal(
            (await DatabaseCopier.ChecksumAsync(first, Batch)).Select(c => c.Checksum),
            (await DatabaseCopier.ChecksumAsync(second, Batch)).Select(c => c.Checksum));
    }

    private static async Task<IReadOnlyList<Mnemo.Storage.Copy.TableRowCount>> CopyAsync(CopyTestDatabase from, CopyTestDatabase to)
    {
        await using var read = await SharedTransaction.BeginAsync(from.Connection, readOnly: true, CancellationToken.None);
        await using var write = await SharedTransaction.BeginAsync(to.Connection, readOnly: false, CancellationToken.None);
        await using var source = from.Open();
        await using var target = to.Open();
        await read.JoinAsync(source, CancellationToken.None);
        await write.JoinAsync(target, CancellationToken.None);
        var copied = await DatabaseCopier.CopyAsync(source, target, Batch);
        await write.CommitAsync(CancellationToken.None);
        return copied;
    }

    private static async Task<IReadOnlyList<TableVerification>> VerifyAsync(CopyTestDatabase from, CopyTestDatabase to)
    {
        await using var source = from.Open();
        await using var target = to.Open();
        return await DatabaseCopier.VerifyAsync(source, target, Batch);
    }

    private static async Task SeedAsync(CopyTestDatabase database)
    {
        await using var db = database.Open();
        // Ids whose byte order differs from a linguistic one ("a-b" < "ab" < "B" only in some locales), and non-ASCII.
        Owner[] owners =
        [
            new() { Id = "ab", Name = "Ab", Email = "ab@example.test", Plan = Plan.Paid, CreatedAt = Created, Photo = [0, 1, 2, 255] },
            new() { Id = "a-b", Name = "A-b", Email = "", CreatedAt = Created.AddDays(1) },
            new() { Id = "B", Name = "Bee", Disabled = true, CreatedAt = Created.ToUniversalTime() },
            new() { Id = "é", Name = "É", Email = null, CreatedAt = Created, Photo = [] },
            new() { Id = "owner-\U0001F41D", Name = "bee \U0001F41D", CreatedAt = Created },
        ];
        db.Owners.AddRange(owners);
        for (var i = 1; i <= 7; i++)
        {
            db.Items.Add(new Item
            {
                Id = i == 7 ? 101 : i, // a gap: sequences must move past the largest id, not the count
                Owner = owners[i % owners.Length],
                Text = $"item {i}\nwith a line break and a tab\t",
                // SQLite reads this back with an unspecified kind; PostgreSQL's timestamptz only takes UTC.
                Expires = i % 3 == 0 ? null : new DateTime(2026, 12, 2, 13, 37, i, DateTimeKind.Utc).AddTicks(4_321),
                Score = i / 3.0,
                Payload = [.. Enumerable.Range(0, 64 * i).Select(b => (byte)b)],
                At = Created.AddMinutes(i),
            });
        }

        await db.SaveChangesAsync();
        foreach (var (item, name) in new[] { (1L, "z"), (1, "a"), (1, "m"), (2, "a"), (3, "work"), (3, "home"), (3, "x"), (101, "a"), (101, "b") })
        {
            db.Labels.Add(new Label { ItemId = item, Name = name });
        }

        await db.SaveChangesAsync();
    }

    private static async Task AssertSameRowsAsync(CopyTestDatabase from, CopyTestDatabase to)
    {
        await using var source = from.Open();
        await using var target = to.Open();
        Assert.Equal(await OwnersAsync(source), await OwnersAsync(target));
        Assert.Equal(await ItemsAsync(source), await ItemsAsync(target));
        Assert.Equal(
            await source.Labels.OrderBy(l => l.ItemId).ThenBy(l => l.Name).Select(l => $"{l.ItemId}/{l.Name}").ToListAsync(),
            await target.Labels.OrderBy(l => l.ItemId).ThenBy(l => l.Name).Select(l => $"{l.ItemId}/{l.Name}").ToListAsync());
    }

    private static async Task<List<string>> OwnersAsync(CopyTestContext db) =>
        [.. (await db.Owners.ToListAsync()).OrderBy(o => o.Id, StringComparer.Ordinal).Select(o =>
            $"{o.Id}|{o.Name}|{o.Email ?? "<null>"}|{o.Disabled}|{o.Plan}|{o.CreatedAt.UtcTicks / 10}|{(o.Photo is null ? "<null>" : Convert.ToHexString(o.Photo))}")];

    private static async Task<List<string>> ItemsAsync(CopyTestContext db) =>
        [.. (await db.Items.Select(i => new { Item = i, OwnerId = EF.Property<string>(i, "OwnerId") }).ToListAsync()).OrderBy(x => x.Item.Id).Select(x =>
            $"{x.Item.Id}|{x.OwnerId}|{x.Item.Text}|{x.Item.Expires?.Ticks / 10}|{x.Item.Score:R}|{Convert.ToHexString(x.Item.Payload)}|{x.Item.At.ToUnixTimeMilliseconds()}")];
}
