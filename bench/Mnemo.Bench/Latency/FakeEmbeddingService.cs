using Mnemo.Memory.Search.Embeddings;

namespace Mnemo.Bench.Latency;

/// <summary>
/// Pre-fill only: deterministic pseudo-random unit vectors stored under the real model's id, so that 100k memories
/// can be written in seconds and the server scans vectors of the real shape. Search quality is not measured here.
/// </summary>
internal sealed class FakeEmbeddingService : IEmbeddingService
{
    public bool IsEnabled => true;

    public EmbeddingStatus Status => new(EmbeddingState.Ready, "fake", ModelId, null);

    public string ModelId => LocalMiniLmEmbeddingService.Model;

    public int Dimensions => 384;

    public Task LoadAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<float[][]> EmbedAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken) =>
        Task.FromResult(texts.Select(Vector).ToArray());

    private static float[] Vector(string text)
    {
        var random = new Random(StringComparer.Ordinal.GetHashCode(text));
        var vector = new float[384];
        var norm = 0.0;
        for (var i = 0; i < vector.Length; i++)
        {
            vector[i] = (float)(random.NextDouble() - 0.5);
            norm += vector[i] * vector[i];
        }

        var scale = (float)(1 / Math.Sqrt(norm));
        for (var i = 0; i < vector.Length; i++)
        {
            vector[i] *= scale;
        }

        return vector;
    }
}
