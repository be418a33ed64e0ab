using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Mnemo.Memory.Memories;
using Mnemo.Memory.Search;
using Mnemo.Memory.Search.Embeddings;
using Mnemo.Memory.Storage;

namespace Mnemo.Memory.Tests.Vectors;

/// <summary>
/// Above 10,000 vectors the scan first shortlists by sign agreement and scores only the shortlist exactly: it must
/// still find what an exact scan finds.
/// </summary>
public sealed class VectorShortlistTests
{
    private const int Count = 12_000;

    [Fact]
    public async Task Search_OverALargeSet_FindsWhatAnExactScanFinds()
    {
        var embeddings = new SeededEmbeddings();
        await using var db = await MemoryTestDatabase.CreateAsync(embeddings, o => o.DeduplicationThreshold = 2);
        var caller = new MemoryCaller("alice", "test");
        for (var start = 0; start < Count; start += 100)
        {
            await db.Service.AddAsync(caller, Enumerable.Range(start, 100).Select(i => new NewMemory($"m{i}")).ToList());
        }

        await using var provider = db.OpenProvider(embeddings);
        var index = provider.GetRequiredService<VectorIndex>();
        await using var context = await provider.GetRequiredService<IDbContextFactory<MemoryDbContext>>().CreateDbContextAsync();
        var textById = await context.Memories.ToDictionaryAsync(m => m.Id, m => m.Text);
        var stored = Enumerable.Range(0, Count).Select(SeededEmbeddings.Vector).ToArray();
        var random = new Random(3);
        var kept = 0.0;
        const int Queries = 20;
        for (var q = 0; q < Queries; q++)
        {
            // A query near one stored vector, as a paraphrase is near its original.
            var target = random.Next(Count);
            var query = stored[target];
            var noise = Int8VectorsTests.UnitVector(random);
            var blended = query.Zip(noise, (a, b) => a + (0.5f * b)).ToArray();
            var norm = MathF.Sqrt(blended.Sum(v => v * v));
            blended = [.. blended.Select(v => v / norm)];

            var found = await index.SearchAsync(context, "alice", blended, null, null, 10, 0f, default);
            var exact = Enumerable.Range(0, Count)
                .OrderByDescending(i => System.Numerics.Tensors.TensorPrimitives.Dot(stored[i], blended))
                .Take(10)
                .Select(i => $"m{i}")
                .ToList();

            Assert.Equal($"m{target}", textById[found[0].Id]);
            kept += found.Count(f => exact.Contains(textById[f.Id])) / 10.0;
        }

        Assert.True(kept / Queries >= 0.9, $"the shortlisted scan kept {kept / Queries:P0} of the exact top 10");
    }

    /// <summary>Text "m{i}" gets a fixed pseudo-random unit vector seeded by i (same in every process).</summary>
    private sealed class SeededEmbeddings : IEmbeddingService
    {
        public bool IsEnabled => true;

        public EmbeddingStatus Status => new(EmbeddingState.Ready, "test", ModelId, null);

        public string ModelId => "seeded-test-vectors";

        public int Dimensions => 384;

        public Task LoadAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<float[][]> EmbedAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken) =>
            Task.FromResult(texts.Select(t => Vector(int.Parse(t.AsSpan(1), CultureInfo.InvariantCulture))).ToArray());

        public static float[] Vector(int seed) => Int8VectorsTests.UnitVector(new Random(seed));
    }
}
