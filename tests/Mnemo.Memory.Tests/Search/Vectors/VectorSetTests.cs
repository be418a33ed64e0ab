using Mnemo.Memory.Search;
using Mnemo.Memory.Search.Vectors;

namespace Mnemo.Memory.Tests.Vectors;

/// <summary>The pure vector structure: upserts, tombstones, compaction and filters, with no database.</summary>
public sealed class VectorSetTests
{
    private const int Dimensions = 384;
    private static readonly MemoryFilter ActiveOnly = new(MemoryState.Active, [], null, null, null);
    private static readonly MemoryFacts Active = new(MemoryState.Active, null, 0, []);

    private static float[] Vector(int seed) => Int8VectorsTests.UnitVector(new Random(seed));

    [Fact]
    public void Search_FindsTheNearestMemoryFirst_AndNeverARemovedOne()
    {
        var set = new VectorSet(Dimensions);
        for (var i = 0; i < 50; i++)
        {
            set.Upsert($"m{i}", Active, Vector(i), []);
        }

        Assert.Equal("m7", set.Search(Vector(7), ActiveOnly, 5, 0f)[0].Id);

        Assert.True(set.Remove("m7"));

        Assert.DoesNotContain("m7", set.Search(Vector(7), ActiveOnly, 50, 0f).Select(h => h.Id));
        Assert.False(set.Contains("m7"));
        Assert.Equal(49, set.Count);
        Assert.False(set.Remove("m7"));
    }

    [Fact]
    public void Upsert_OfAKnownMemory_ReplacesItsVectors()
    {
        var set = new VectorSet(Dimensions);
        set.Upsert("a", Active, Vector(1), []);
        set.Upsert("b", Active, Vector(2), []);

        set.Upsert("a", Active, Vector(3), []);

        Assert.Equal(2, set.Count);
        Assert.Equal("a", set.Search(Vector(3), ActiveOnly, 1, 0f).Single().Id);
        // Its old vector is gone: a query equal to it finds "a" no closer than any unrelated vector.
        Assert.True(set.Score(Vector(1), ["a"], 0f)["a"] < 0.5f);
    }

    [Fact]
    public void Search_AppliesTheFilterBeforeTakingTheBest()
    {
        // The nearest memories are archived: a search for active ones still fills its k from the active ones.
        var set = new VectorSet(Dimensions);
        var query = Vector(0);
        for (var i = 0; i < 40; i++)
        {
            var state = i < 20 ? MemoryState.Archived : MemoryState.Active;
            var tags = i % 2 == 0 ? new[] { "work" } : [];
            set.Upsert($"m{i}", new MemoryFacts(state, i % 3 == 0 ? "cursor" : null, i, tags), i < 20 ? Blend(query, Vector(100 + i)) : Vector(100 + i), []);
        }

        var active = set.Search(query, ActiveOnly, 10, 0f);
        var archivedWork = set.Search(query, ActiveOnly with { State = MemoryState.Archived, Tags = ["work"] }, 100, 0f);
        var cursorLate = set.Search(query, ActiveOnly with { App = "cursor", OccurredAfter = 30, OccurredBefore = 36 }, 100, 0f);

        Assert.Equal(10, active.Count);
        Assert.All(active, h => Assert.True(int.Parse(h.Id[1..], System.Globalization.CultureInfo.InvariantCulture) >= 20));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"m{2 * i}").Order(StringComparer.Ordinal), archivedWork.Select(h => h.Id).Order(StringComparer.Ordinal));
        Assert.Equal(["m30", "m33", "m36"], cursorLate.Select(h => h.Id).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ManyReplacementsAndRemovals_CompactWithoutChangingResults()
    {
        var set = new VectorSet(Dimensions);
        var fresh = new VectorSet(Dimensions);
        for (var i = 0; i < 3_000; i++)
        {
            set.Upsert($"m{i}", Active, Vector(i), i % 3 == 0 ? Vector(50_000 + i) : []);
        }

        // 2,000 removals and 500 replacements: well past the compaction threshold.
        for (var i = 0; i < 2_000; i++)
        {
            set.Remove($"m{i}");
        }

        for (var i = 2_000; i < 3_000; i++)
        {
            var vector = i < 2_500 ? Vector(90_000 + i) : Vector(i);
            if (i < 2_500)
            {
                set.Upsert($"m{i}", Active, vector, i % 3 == 0 ? Vector(50_000 + i) : []);
            }

            fresh.Upsert($"m{i}", Active, vector, i % 3 == 0 ? Vector(50_000 + i) : []);
        }

        Assert.Equal(1_000, set.Count);
        for (var q = 0; q < 10; q++)
        {
            var query = Vector(2_000 + (q * 97));
            Assert.Equal(fresh.Search(query, ActiveOnly, 20, 0.3f), set.Search(query, ActiveOnly, 20, 0.3f));
        }
    }

    [Fact]
    public void Score_GivesKnownMemoriesTheirOwnScore_AndLeavesUnknownOnesOut()
    {
        var set = new VectorSet(Dimensions);
        set.Upsert("a", Active, [.. Vector(1), .. Vector(2)], Vector(3));
        var query = Vector(2);

        var scores = set.Score(query, ["a", "missing"], 0.3f);

        Assert.Equal(["a"], scores.Keys);
        Assert.Equal(set.Search(query, ActiveOnly, 1, 0.3f).Single().Score, scores["a"], 6);
        // The better of the two chunks, blended with the context vector.
        Assert.True(scores["a"] > 0.6f);
    }

    private static float[] Blend(float[] a, float[] b)
    {
        var blended = a.Zip(b, (x, y) => x + (0.3f * y)).ToArray();
        var norm = MathF.Sqrt(blended.Sum(v => v * v));
        return [.. blended.Select(v => v / norm)];
    }
}
