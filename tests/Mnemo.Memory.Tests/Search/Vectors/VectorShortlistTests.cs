using Mnemo.Memory.Search;
using Mnemo.Memory.Search.Vectors;

namespace Mnemo.Memory.Tests.Vectors;

/// <summary>
/// Above 10,000 vectors the scan first shortlists by sign agreement and scores only the shortlist exactly: it must
/// still find what an exact scan finds. Runs on the pure <see cref="VectorSet"/>, as the server's per-user cache does.
/// </summary>
public sealed class VectorShortlistTests
{
    private const int Count = 12_000;
    private static readonly MemoryFilter ActiveOnly = new(MemoryState.Active, [], null, null, null);
    private static readonly MemoryFacts Active = new(MemoryState.Active, null, 0, []);

    [Fact]
    public void Search_OverALargeSet_FindsWhatAnExactScanFinds()
    {
        var set = new VectorSet(384);
        var stored = Enumerable.Range(0, Count).Select(i => Int8VectorsTests.UnitVector(new Random(i))).ToArray();
        for (var i = 0; i < Count; i++)
        {
            set.Upsert($"m{i}", Active, stored[i], []);
        }

        var random = new Random(3);
        var kept = 0.0;
        const int Queries = 20;
        for (var q = 0; q < Queries; q++)
        {
            // A query near one stored vector, as a paraphrase is near its original.
            var target = random.Next(Count);
            var noise = Int8VectorsTests.UnitVector(random);
            var blended = stored[target].Zip(noise, (a, b) => a + (0.5f * b)).ToArray();
            var norm = MathF.Sqrt(blended.Sum(v => v * v));
            blended = [.. blended.Select(v => v / norm)];

            var found = set.Search(blended, ActiveOnly, 10, 0f);
            var exact = Enumerable.Range(0, Count)
                .OrderByDescending(i => System.Numerics.Tensors.TensorPrimitives.Dot(stored[i], blended))
                .Take(10)
                .Select(i => $"m{i}")
                .ToList();

            Assert.Equal($"m{target}", found[0].Id);
            kept += found.Count(f => exact.Contains(f.Id)) / 10.0;
        }

        Assert.True(kept / Queries >= 0.9, $"the shortlisted scan kept {kept / Queries:P0} of the exact top 10");
    }
}
